"""Q5: background replacement with OpenCV's background subtractors, and how well it did.

Frames are (H, W, 3) uint8 BGR arrays and masks (H, W) uint8 in {0, 255}; opening and writing
files is the stage script's job. The defaults in params.yaml are the assignment's loop exactly:
MOG2 with shadows, values above 200, a 3x3 opening, a median blur of 5.
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from mnistseg.cdnet import CDNET_FOREGROUND, Counts, GroundTruth, cdnet_metrics
from mnistseg.errors import InputError, KnobError
from mnistseg.params import Section, knob

NO_GROUND_TRUTH = "none"
# BGSLibrary's methods (pybgs, an optional install) by their params.yaml name.
BGSLIBRARY = {"subsense": "SuBSENSE", "pawcs": "PAWCS", "lobster": "LOBSTER", "vibe": "ViBe"}
SUBTRACTORS = ("mog2", "knn", "gsoc", "cnt", *BGSLIBRARY)
CONTRIB_SUBTRACTORS = ("gsoc", "cnt")  # in opencv-contrib's `bgsegm` module only


def _zero_or_odd(value: int) -> bool:
    return value == 0 or value % 2 == 1


@dataclass(frozen=True)
class VideoParams(Section):
    """`video` in params.yaml."""

    input: str = knob()  # a video file, or a folder of numbered frame images
    background: str = knob()  # the replacement background image (resized to the frame)
    ground_truth: str = knob()  # masks .npy, a folder of mask images (CDnet), or `none`
    subtractor: str = knob(choices=SUBTRACTORS)
    history: int = knob(low=1)  # mog2, knn: frames the model remembers
    var_threshold: float = knob(above=0)  # mog2: squared Mahalanobis distance to match
    dist2_threshold: float = knob(above=0)  # knn: squared distance to a sample to match
    detect_shadows: bool = knob()  # mog2, knn: mark shadows 127 (dropped by mask_threshold)
    cnt_min_stability: int = knob(low=1)  # cnt: frames of one colour to call a pixel stable
    cnt_max_stability: int = knob(low=1)  # cnt: most credit a stable pixel can hold
    gsoc_samples: int = knob(low=1)  # gsoc: samples kept per pixel
    gsoc_replace_rate: float = knob(low=0, high=1)  # gsoc: how fast the model updates
    gsoc_propagation_rate: float = knob(low=0, high=1)  # gsoc: spread to neighbours
    # BGSLibrary's methods (St-Charles et al.'s SuBSENSE, PAWCS and LOBSTER; Barnich's ViBe)
    subsense_lbsp_threshold: float = knob(above=0, high=1)  # relative LBSP descriptor threshold
    subsense_color_threshold: int = knob(low=1)  # least colour distance to differ
    subsense_samples: int = knob(low=2)  # background samples kept per pixel
    subsense_required_samples: int = knob(low=1)  # samples that must match: background
    pawcs_lbsp_threshold: float = knob(above=0, high=1)
    pawcs_color_threshold: int = knob(low=1)
    pawcs_words: int = knob(low=1)  # most background words per pixel
    lobster_lbsp_threshold: float = knob(above=0, high=1)
    lobster_color_threshold: int = knob(low=1)
    lobster_samples: int = knob(low=2)
    lobster_required_samples: int = knob(low=1)
    vibe_threshold: int = knob(low=1)  # colour distance to match a sample
    vibe_required_samples: int = knob(low=1)  # samples that must match: background
    vibe_update_factor: int = knob(low=1)  # 1 in this many background pixels updates its model
    mask_threshold: int = knob(low=0, high=254)  # keep subtractor output above it
    open_kernel: int = knob(low=0)  # morphological opening (removes specks); 0 = off
    close_kernel: int = knob(low=0)  # morphological closing (fills gaps); 0 = off
    median_kernel: int = knob(low=0, rule=(_zero_or_odd, "0 or odd"))  # median blur; 0 = off
    feather: float = knob(low=0)  # Gaussian sigma (pixels) of a soft edge; 0 = hard cut-out
    codec: str = knob(rule=(lambda v: len(v) == 4, "a four-character code such as mp4v"))
    container: str = knob(rule=(lambda v: v.isalnum(), "a file extension such as mp4"))
    warmup: int = knob(low=0)  # frames not scored (without a temporalROI.txt)

    def check(self) -> None:
        if self.cnt_max_stability < self.cnt_min_stability:
            raise KnobError(
                "cnt_max_stability",
                f"must be >= cnt_min_stability ({self.cnt_min_stability}), "
                f"got {self.cnt_max_stability}",
            )
        for method in ("subsense", "lobster"):
            required = getattr(self, f"{method}_required_samples")
            samples = getattr(self, f"{method}_samples")
            if required > samples:
                raise KnobError(
                    f"{method}_required_samples",
                    f"must be <= {method}_samples ({samples}), got {required}",
                )

    def bgslibrary_settings(self) -> dict[str, float | int]:
        """The settings file of the BGSLibrary method `subtractor` names: its knobs, and the
        library's own defaults for the rest (as pybgs writes them)."""
        if self.subtractor == "subsense":
            return {
                "fRelLBSPThreshold": self.subsense_lbsp_threshold,
                "nDescDistThresholdOffset": 3,
                "nMinColorDistThreshold": self.subsense_color_threshold,
                "nBGSamples": self.subsense_samples,
                "nRequiredBGSamples": self.subsense_required_samples,
                "nSamplesForMovingAvgs": 100,
            }
        if self.subtractor == "pawcs":
            return {
                "fRelLBSPThreshold": self.pawcs_lbsp_threshold,
                "nDescDistThresholdOffset": 2,
                "nMinColorDistThreshold": self.pawcs_color_threshold,
                "nMaxNbWords": self.pawcs_words,
                "nSamplesForMovingAvgs": 100,
            }
        if self.subtractor == "lobster":
            return {
                "fRelLBSPThreshold": self.lobster_lbsp_threshold,
                "nLBSPThresholdOffset": 0,
                "nDescDistThreshold": 4,
                "nColorDistThreshold": self.lobster_color_threshold,
                "nBGSamples": self.lobster_samples,
                "nRequiredBGSamples": self.lobster_required_samples,
            }
        return {
            "matchingThreshold": self.vibe_threshold,
            "matchingNumber": self.vibe_required_samples,
            "updateFactor": self.vibe_update_factor,
        }


# The same frames must give the same masks (tracked metrics hold still). KNN and GSOC draw from
# OpenCV's global RNG, so it is seeded for every new subtractor; GSOC also draws from it in
# parallel threads, whose order varies from run to run, so it runs on one thread.
RNG_SEED = 0


def make_subtractor(params: VideoParams) -> cv2.BackgroundSubtractor:
    """The subtractor `params.subtractor` names, with its knobs, reproducible (RNG_SEED)."""
    cv2.setRNGSeed(RNG_SEED)
    if params.subtractor == "mog2":
        return cv2.createBackgroundSubtractorMOG2(
            history=params.history,
            varThreshold=params.var_threshold,
            detectShadows=params.detect_shadows,
        )
    if params.subtractor == "knn":
        return cv2.createBackgroundSubtractorKNN(
            history=params.history,
            dist2Threshold=params.dist2_threshold,
            detectShadows=params.detect_shadows,
        )
    if params.subtractor in BGSLIBRARY:
        return bgslibrary_subtractor(params)
    bgsegm = getattr(cv2, "bgsegm", None)
    if bgsegm is None:
        raise KnobError(
            "subtractor",
            f"{params.subtractor!r} needs OpenCV's contrib modules (opencv-contrib-python-"
            f"headless), which this machine's OpenCV {cv2.__version__} lacks",
        )
    if params.subtractor == "cnt":
        return bgsegm.createBackgroundSubtractorCNT(
            minPixelStability=params.cnt_min_stability,
            useHistory=True,
            maxPixelStability=params.cnt_max_stability,
            isParallel=True,
        )
    cv2.setNumThreads(1)  # for this process: GSOC's threads share the RNG
    return bgsegm.createBackgroundSubtractorGSOC(
        nSamples=params.gsoc_samples,
        replaceRate=params.gsoc_replace_rate,
        propagationRate=params.gsoc_propagation_rate,
    )


def settings_xml(settings: dict[str, float | int]) -> str:
    """A BGSLibrary settings file (OpenCV's FileStorage XML); its own window stays shut."""
    lines = [f"<{key}>{value!r}</{key}>" for key, value in {**settings, "showOutput": 0}.items()]
    return '<?xml version="1.0"?>\n<opencv_storage>\n' + "\n".join(lines) + "\n</opencv_storage>\n"


def bgslibrary_subtractor(params: VideoParams):
    """The BGSLibrary method `params.subtractor` names, through its Python wrapper, pybgs.

    pybgs reads a method's settings from `./config/<Name>.xml` when it is built (and writes
    its defaults there when the file is missing). That file is written from the params into a
    temporary folder, the working directory while the method is built: nothing is written to
    the project, and the knobs in params.yaml are the ones that count. The methods draw with
    the C library's rand(), which is seeded (RNG_SEED) so the same frames give the same masks;
    on Windows Python cannot reach the rand() the wrapper was built against, so they stop there.
    """
    if sys.platform == "win32":
        raise KnobError(
            "subtractor",
            f"{params.subtractor!r} is one of BGSLibrary's methods, which draw from the C "
            "library's rand(): on Windows it cannot be seeded, and the masks would change from "
            f"run to run; choose one of {', '.join(s for s in SUBTRACTORS if s not in BGSLIBRARY)}",
        )
    try:
        import pybgs
    except ImportError:
        raise KnobError(
            "subtractor",
            f"{params.subtractor!r} is one of BGSLibrary's methods, whose Python wrapper pybgs "
            "is not installed here: run `make bgslibrary` (README: BGSLibrary)",
        ) from None
    name = BGSLIBRARY[params.subtractor]
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="bgslibrary-") as folder:
        Path(folder, "config").mkdir()
        Path(folder, "config", f"{name}.xml").write_text(settings_xml(params.bgslibrary_settings()))
        os.chdir(folder)
        try:
            ctypes.CDLL(None).srand(RNG_SEED)
            return getattr(pybgs, name)()
        finally:
            os.chdir(here)


class ForegroundMasker:
    """Turns frames into foreground masks, one call per frame, in order."""

    def __init__(self, params: VideoParams) -> None:
        self.params = params
        self.subtractor = make_subtractor(params)
        self.open = (
            cv2.getStructuringElement(cv2.MORPH_RECT, (params.open_kernel,) * 2)
            if params.open_kernel
            else None
        )
        self.close = (
            cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (params.close_kernel,) * 2)
            if params.close_kernel
            else None
        )

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        raw = self.subtractor.apply(frame)
        _, mask = cv2.threshold(raw, self.params.mask_threshold, 255, cv2.THRESH_BINARY)
        if self.open is not None:
            mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, self.open)
        if self.close is not None:
            mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, self.close)
        if self.params.median_kernel:
            mask = cv2.medianBlur(mask, self.params.median_kernel)
        return mask


def fit_background(background: np.ndarray, width: int, height: int) -> np.ndarray:
    """The background resized to the frame, whatever its size or aspect (as the assignment)."""
    if background.shape[:2] == (height, width):
        return background
    return cv2.resize(background, (width, height), interpolation=cv2.INTER_AREA)


def composite(
    frame: np.ndarray, background: np.ndarray, mask: np.ndarray, feather: float = 0.0
) -> np.ndarray:
    """The frame where the mask is set, the background elsewhere; a soft edge if feather > 0."""
    if feather <= 0:
        out = background.copy()
        cv2.copyTo(frame, mask, out)
        return out
    alpha = cv2.GaussianBlur(mask, (0, 0), sigmaX=feather).astype(np.float32) * (1 / 255)
    alpha = alpha[..., None]
    blended = frame.astype(np.float32) * alpha + background.astype(np.float32) * (1 - alpha)
    return (blended + 0.5).astype(np.uint8)


@dataclass(frozen=True)
class Replaced:
    """One frame through the loop: the frame, its foreground mask, the composited frame."""

    frame: np.ndarray
    mask: np.ndarray
    composite: np.ndarray


def replace_background(
    frames: Iterable[np.ndarray], background: np.ndarray, params: VideoParams
) -> Iterator[Replaced]:
    """The background-replacement loop over `frames`, one result per frame, in order.

    The background is resized to the first frame's size; every frame must share that size.
    """
    masker = ForegroundMasker(params)
    fitted = None
    for t, frame in enumerate(frames):
        if fitted is None:
            fitted = fit_background(background, frame.shape[1], frame.shape[0])
        elif frame.shape != (*fitted.shape[:2], 3):
            raise InputError(
                f"video.input: frame {t + 1} is {frame.shape[1]}x{frame.shape[0]}, the first "
                f"was {fitted.shape[1]}x{fitted.shape[0]}: every frame must have one size"
            )
        mask = masker(frame)
        yield Replaced(frame, mask, composite(frame, fitted, mask, params.feather))


def mean_squared_error(a: np.ndarray, b: np.ndarray) -> float:
    """Mean squared difference of two uint8 arrays."""
    return float(np.mean((a.astype(np.float32) - b.astype(np.float32)) ** 2))


def psnr(mse: float) -> float:
    """Peak signal-to-noise ratio in dB of a mean squared error of 8-bit values (inf for 0)."""
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))


class VideoScorer:
    """Scores the loop's masks against ground truth, frame by frame, as they come.

    Frames are known by their number (1-based: CDnet's `in000123.jpg` is frame 123). `scored`
    holds the numbers that count: after the warm-up, or CDnet's temporal ROI (the
    `*_after_warmup` figures and CDnet's are over these). Per frame: IoU and F1 of the
    foreground (label 255) over the pixels CDnet scores, averaged over the frames that have
    such pixels (a frame all outside the ROI or unknown scores nothing, not a perfect 1);
    pooled over the scored frames: CDnet's counts, and the PSNR of the composite against the
    ideal one (the true mask, hard-edged, over the same background).
    """

    def __init__(self, scored: range, background: np.ndarray) -> None:
        self.scored = scored
        self.background = background  # resized to the frames on first use
        self.iou: list[float] = []
        self.f1: list[float] = []
        self.counted: list[bool] = []
        self.counts = Counts()
        self.squared_errors: list[float] = []

    def add(self, number: int, result: Replaced, truth: np.ndarray) -> None:
        """Score frame `number` against its ground truth (CDnet labels or {0, 255})."""
        frame = Counts.of(result.mask, truth)
        counted = number in self.scored
        if frame.tp + frame.fp + frame.fn + frame.tn:
            self.iou.append(frame.iou())
            self.f1.append(frame.f1())
            self.counted.append(counted)
        if not counted:
            return
        self.counts += frame
        height, width = result.mask.shape
        self.background = fit_background(self.background, width, height)
        ideal_mask = np.where(truth == CDNET_FOREGROUND, np.uint8(255), np.uint8(0))
        ideal = composite(result.frame, self.background, ideal_mask)
        self.squared_errors.append(mean_squared_error(result.composite, ideal))

    def metrics(self) -> dict:
        """Per-frame means over all frames and over scored frames, CDnet's figures, PSNR."""
        iou, f1, counted = np.array(self.iou), np.array(self.f1), np.array(self.counted, bool)
        scored = counted if counted.any() else np.ones_like(counted)
        result = {
            "mean_iou": float(iou.mean()) if len(iou) else 0.0,
            "f1": float(f1.mean()) if len(f1) else 0.0,
            "mean_iou_after_warmup": float(iou[scored].mean()) if scored.any() else 0.0,
            "f1_after_warmup": float(f1[scored].mean()) if scored.any() else 0.0,
            "scored_frames": len(self.squared_errors),
            "cdnet": cdnet_metrics(self.counts),
        }
        if self.squared_errors:
            result["composite_psnr_after_warmup"] = psnr(float(np.mean(self.squared_errors)))
        return result


# What metrics/video.json keeps for `dvc exp show` and `dvc metrics diff`: the foreground
# share, and with ground truth the scores over the scored frames and CDnet's main three.
HEADLINE = ("mean_foreground_fraction", "mean_iou_after_warmup", "f1_after_warmup",
            "composite_psnr_after_warmup")  # fmt: skip
CDNET_HEADLINE = ("precision", "recall", "f_measure")


def headline(scores: dict) -> dict:
    """The handful of `scores` (the stage's full record) that metrics/video.json keeps."""
    kept = {key: scores[key] for key in HEADLINE if key in scores}
    if "cdnet" in scores:
        kept["cdnet"] = {key: scores["cdnet"][key] for key in CDNET_HEADLINE}
    return kept


def preview_frames(expected: int, count: int = 3) -> set[int]:
    """Frame numbers to show: evenly spread over `expected` frames."""
    return {int(expected * k / (count + 1)) for k in range(1, count + 1)}


@dataclass
class Clip:
    """What the loop made of a clip: its size, foreground, preview shots and scores."""

    frames: int = 0
    width: int = 0
    height: int = 0
    foreground: int = 0  # foreground pixels over all frames
    seconds: float = 0.0  # in the loop itself: masks, composites, writing; not the scoring
    shots: list[Replaced] = field(default_factory=list)
    scores: dict = field(default_factory=dict)  # VideoScorer.metrics(), with ground truth

    def record(self, fps: float) -> dict:
        """The stage's full record (data/video/scores.json)."""
        pixels = self.frames * self.width * self.height
        return {
            "frames": self.frames,
            "width": self.width,
            "height": self.height,
            "fps": fps,
            "mean_foreground_fraction": self.foreground / pixels,
            **self.scores,
        }


def process_clip(
    frames: Iterable[np.ndarray],
    numbers: Iterable[int],
    background: np.ndarray,
    params: VideoParams,
    write: Callable[[np.ndarray], None],
    truth: GroundTruth | None = None,
    shown: set[int] = frozenset(),
) -> Clip:
    """Replace the background of `frames` (numbered `numbers`), `write` each composite, and
    score the masks against `truth`; the frames at the positions `shown` are kept as shots
    (the last frame if none of them is reached)."""
    clip = Clip()
    scorer = VideoScorer(truth.scored, background) if truth is not None else None
    last: Replaced | None = None  # shown when no position in `shown` is reached
    last_number = 0
    started = time.perf_counter()
    for t, (number, result) in enumerate(
        zip(numbers, replace_background(frames, background, params))
    ):
        write(result.composite)
        clip.seconds += time.perf_counter() - started
        clip.frames += 1
        clip.height, clip.width = result.mask.shape
        clip.foreground += cv2.countNonZero(result.mask)
        if truth is not None:
            mask = truth.mask(number, result.mask.shape)
            if mask is not None:
                scorer.add(number, result, mask)
        if t in shown:
            clip.shots.append(result)
        last, last_number = result, number
        started = time.perf_counter()
    if last is None:
        raise InputError(f"video.input: {params.input}: holds no frames")
    if truth is not None and max(truth.numbers, default=0) > last_number:  # a video's frames
        raise InputError(
            f"video.ground_truth: {truth.path}: {len(truth.numbers)} masks for "
            f"{clip.frames} frames of {params.input}"
        )
    clip.shots = clip.shots or [last]
    if scorer is not None:
        clip.scores = scorer.metrics()
    return clip
