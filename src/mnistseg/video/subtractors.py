"""The single methods by their params.yaml name, each built from its block of knobs: OpenCV's
MOG2 and KNN, opencv-contrib's GSOC and CNT, and BGSLibrary's SuBSENSE, PAWCS, LOBSTER and ViBe
(through its Python wrapper pybgs, an optional install). The vote (mnistseg.video.vote)
combines them.

The same frames must give the same masks (tracked metrics hold still). KNN and GSOC draw from
OpenCV's global RNG, so it is seeded for every new subtractor; GSOC also draws from it in
parallel threads, whose order varies from run to run, so it runs on one thread. BGSLibrary's
methods draw from the C library's rand(), which is seeded too.
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

from mnistseg.errors import ParamError
from mnistseg.params import Section
from mnistseg.video.config import METHODS

# BGSLibrary's methods by their params.yaml name
BGSLIBRARY = {"subsense": "SuBSENSE", "pawcs": "PAWCS", "lobster": "LOBSTER", "vibe": "ViBe"}
RNG_SEED = 0


def make_subtractor(name: str, knobs: Section) -> cv2.BackgroundSubtractor:
    """The single method `name` (config.METHODS) with its block of `knobs`, reproducible."""
    require(name)
    cv2.setRNGSeed(RNG_SEED)
    if name == "mog2":
        return cv2.createBackgroundSubtractorMOG2(
            history=knobs.history,
            varThreshold=knobs.var_threshold,
            detectShadows=knobs.detect_shadows,
        )
    if name == "knn":
        return cv2.createBackgroundSubtractorKNN(
            history=knobs.history,
            dist2Threshold=knobs.dist2_threshold,
            detectShadows=knobs.detect_shadows,
        )
    if name in BGSLIBRARY:
        return bgslibrary_subtractor(name, knobs)
    if name == "cnt":
        return cv2.bgsegm.createBackgroundSubtractorCNT(
            minPixelStability=knobs.min_stability,
            useHistory=True,
            maxPixelStability=knobs.max_stability,
            isParallel=True,
        )
    cv2.setNumThreads(1)  # for this process: GSOC's threads share the RNG
    return cv2.bgsegm.createBackgroundSubtractorGSOC(
        nSamples=knobs.samples,
        replaceRate=knobs.replace_rate,
        propagationRate=knobs.propagation_rate,
    )


def require(name: str, param: str = "video.subtractor") -> None:
    """Stop, in one line naming `param`, if this machine cannot run the method `name`: one of
    opencv-contrib's without the contrib build, one of BGSLibrary's without pybgs or on
    Windows. The stage adds the params file and the way back."""
    if name not in METHODS:
        raise ParamError(
            f"{param}: {name!r} is no single method; choose one of {', '.join(METHODS)}"
        )
    if name in BGSLIBRARY:
        others = ", ".join(s for s in METHODS if s not in BGSLIBRARY)
        if sys.platform == "win32":
            raise ParamError(
                f"{param}: {name!r} is one of BGSLibrary's methods, which draw from the C "
                "library's rand(): on Windows it cannot be seeded, and the masks would change "
                f"from run to run; choose one of {others}",
            )
        try:
            import pybgs  # noqa: F401  (an optional install)
        except ImportError:
            raise ParamError(
                f"{param}: {name!r} is one of BGSLibrary's methods, whose Python wrapper "
                "pybgs is not installed here: run `make bgslibrary` (docs/video.md: BGSLibrary)",
            ) from None
    if name in ("gsoc", "cnt") and getattr(cv2, "bgsegm", None) is None:
        raise ParamError(
            f"{param}: {name!r} needs OpenCV's contrib modules (opencv-contrib-python-headless), "
            f"which this machine's OpenCV {cv2.__version__} lacks",
        )


def background_image(subtractor) -> np.ndarray:
    """The background a method has learned so far, (H, W, 3) uint8 BGR (CNT's is grey)."""
    if hasattr(subtractor, "getBackgroundModel"):  # pybgs
        image = subtractor.getBackgroundModel()
    else:
        image = subtractor.getBackgroundImage()
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image


def settings_xml(settings: dict[str, float | int]) -> str:
    """A BGSLibrary settings file (OpenCV's FileStorage XML); its own window stays shut."""
    lines = [f"<{key}>{value!r}</{key}>" for key, value in {**settings, "showOutput": 0}.items()]
    return '<?xml version="1.0"?>\n<opencv_storage>\n' + "\n".join(lines) + "\n</opencv_storage>\n"


def bgslibrary_subtractor(name: str, knobs: Section):
    """The BGSLibrary method `name`, through its Python wrapper, pybgs.

    pybgs reads a method's settings from `./config/<Name>.xml` when it is built (and writes
    its defaults there when the file is missing). That file is written from the knobs
    (`knobs.settings()`) into a temporary folder, the working directory while the method is
    built: nothing is written to the project, and the knobs in params.yaml are the ones that
    count. On Windows Python cannot reach the rand() the wrapper was built against, so the
    methods stop there.
    """
    import pybgs  # an optional install, checked by require()

    method = BGSLIBRARY[name]
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="bgslibrary-") as folder:
        Path(folder, "config").mkdir()
        Path(folder, "config", f"{method}.xml").write_text(settings_xml(knobs.settings()))
        os.chdir(folder)
        try:
            ctypes.CDLL(None).srand(RNG_SEED)
            return getattr(pybgs, method)()
        finally:
            os.chdir(here)
