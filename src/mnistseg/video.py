"""Q5: background replacement with OpenCV's background subtractors, and how well it did.

Frames are (H, W, 3) uint8 BGR arrays and masks (H, W) uint8 in {0, 255}; opening and writing
files is the stage script's job. The defaults in params.yaml are the assignment's loop exactly:
MOG2 with shadows, values above 200, a 3x3 opening, a median blur of 5.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from mnistseg.errors import InputError, KnobError
from mnistseg.params import Section, knob

NO_GROUND_TRUTH = "none"
SUBTRACTORS = ("mog2", "knn", "gsoc", "cnt")
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


# CDnet's ground-truth labels: only these count; 85 (outside the ROI) and 170 (unknown) do not.
CDNET_FOREGROUND = 255
CDNET_BACKGROUND = (0, 50)  # static, hard shadow


@dataclass(frozen=True)
class Counts:
    """Pixel counts of one frame or pooled over frames, as CDnet's comparator keeps them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @classmethod
    def of(cls, pred: np.ndarray, truth: np.ndarray) -> Counts:
        """Count one frame: `pred` a mask (nonzero = foreground), `truth` CDnet labels."""
        fg = pred > 0
        positive = truth == CDNET_FOREGROUND
        negative = (truth == CDNET_BACKGROUND[0]) | (truth == CDNET_BACKGROUND[1])
        return cls(
            tp=int(np.count_nonzero(fg & positive)),
            fp=int(np.count_nonzero(fg & negative)),
            fn=int(np.count_nonzero(~fg & positive)),
            tn=int(np.count_nonzero(~fg & negative)),
        )

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn
        )

    def iou(self) -> float:
        """Foreground IoU over the scored pixels, TP / (TP + FP + FN); 1 if both are empty."""
        union = self.tp + self.fp + self.fn
        return self.tp / union if union else 1.0

    def f1(self) -> float:
        """Foreground F1 (Dice), 2 TP / (2 TP + FP + FN); 1 if both are empty."""
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else 1.0


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else 0.0


def cdnet_metrics(counts: Counts) -> dict[str, float]:
    """CDnet 2014's seven figures from pooled counts (changedetection.net's definitions).

    Recall TP/(TP+FN), specificity TN/(TN+FP), FPR FP/(FP+TN), FNR FN/(TP+FN),
    PWC 100 (FN+FP)/(TP+FN+FP+TN), precision TP/(TP+FP), F-measure 2 Pr Re/(Pr+Re);
    a ratio whose denominator is 0 is reported as 0.
    """
    tp, fp, fn, tn = counts.tp, counts.fp, counts.fn, counts.tn
    recall, precision = _ratio(tp, tp + fn), _ratio(tp, tp + fp)
    return {
        "recall": recall,
        "specificity": _ratio(tn, tn + fp),
        "fpr": _ratio(fp, fp + tn),
        "fnr": _ratio(fn, tp + fn),
        "pwc": 100 * _ratio(fn + fp, tp + fn + fp + tn),
        "precision": precision,
        "f_measure": _ratio(2 * precision * recall, precision + recall),
    }


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


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")


def frame_number(name: str) -> int | None:
    """The frame number in a file name, its last run of digits (`in000123.jpg` -> 123)."""
    digits = re.findall(r"\d+", name.rsplit(".", 1)[0])
    return int(digits[-1]) if digits else None


def numbered_images(names: Iterable[str], where: str) -> dict[int, str]:
    """The image files among `names` by frame number, in frame order.

    CDnet's `in000001.jpg` and `gt000001.png` are frame 1 of a sequence; any folder of images
    numbered so works. An image without a number, or two images of one number, is an
    InputError naming them (`where` says which folder).
    """
    found: dict[int, str] = {}
    for name in sorted(names):
        if not name.lower().endswith(IMAGE_SUFFIXES):
            continue
        number = frame_number(name)
        if number is None:
            raise InputError(f"{where}/{name}: no frame number in the name")
        if number in found:
            raise InputError(f"{where}: {found[number]} and {name} are both frame {number}")
        found[number] = name
    return dict(sorted(found.items()))


def parse_temporal_roi(text: str, name: str) -> range:
    """Frame numbers that CDnet's temporalROI.txt ("first last", 1-based) says to score."""
    parts = text.split()
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise InputError(f"{name}: expected two frame numbers, got {text.strip()!r}")
    first, last = int(parts[0]), int(parts[1])
    if not 1 <= first <= last:
        raise InputError(f"{name}: expected 1 <= first <= last, got {first} {last}")
    return range(first, last + 1)


def preview_frames(expected: int, count: int = 3) -> set[int]:
    """Frame numbers to show: evenly spread over `expected` frames."""
    return {int(expected * k / (count + 1)) for k in range(1, count + 1)}
