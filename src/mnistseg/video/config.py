"""The `video` section of params.yaml, nested by job: the files, the mask clean-up, the output,
and one block of knobs per subtractor.

A CDnet benchmark stage reads only `video.cleanup` and its own subtractor's block, so changing
one method's knobs reruns that method's stages alone.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from mnistseg.params import Section

Count = Annotated[int, Field(ge=1)]
Rate = Annotated[float, Field(ge=0, le=1)]
# BGSLibrary's LBSP threshold, relative to the pixel's intensity
LbspThreshold = Annotated[float, Field(gt=0, le=1)]


class MOG2(Section):
    """OpenCV's Gaussian-mixture subtractor (Zivkovic): the assignment's."""

    history: Count  # frames the model remembers
    var_threshold: Annotated[float, Field(gt=0)]  # squared Mahalanobis distance to match
    detect_shadows: bool  # mark shadows 127 (dropped by cleanup.threshold)


class KNN(Section):
    """OpenCV's k-nearest-neighbours subtractor."""

    history: Count
    dist2_threshold: Annotated[float, Field(gt=0)]  # squared distance to a sample to match
    detect_shadows: bool


class GSOC(Section):
    """opencv-contrib's GSOC (Google Summer of Code 2017)."""

    samples: Count  # samples kept per pixel
    replace_rate: Rate  # how fast the model updates
    propagation_rate: Rate  # spread to neighbours


class CNT(Section):
    """opencv-contrib's CNT (counting stable frames)."""

    min_stability: Count  # frames of one colour to call a pixel stable
    max_stability: Count  # most credit a stable pixel can hold

    @model_validator(mode="after")
    def max_at_least_min(self) -> CNT:
        if self.max_stability < self.min_stability:
            raise ValueError(
                f"max_stability: must be >= min_stability ({self.min_stability}), "
                f"got {self.max_stability}"
            )
        return self


class Sampled(Section):
    """A BGSLibrary method that keeps background samples per pixel, some of which must match."""

    samples: Annotated[int, Field(ge=2)]  # background samples kept per pixel
    required_samples: Count  # samples that must match for background

    @model_validator(mode="after")
    def required_at_most_samples(self) -> Sampled:
        if self.required_samples > self.samples:
            raise ValueError(
                f"required_samples: must be <= samples ({self.samples}), "
                f"got {self.required_samples}"
            )
        return self


# BGSLibrary's methods: St-Charles et al.'s SuBSENSE, PAWCS and LOBSTER, Barnich's ViBe. Each
# block's `settings()` is its BGSLibrary settings file: its knobs, and the library's own
# defaults for the rest (as pybgs writes them).


class SuBSENSE(Sampled):
    lbsp_threshold: LbspThreshold
    color_threshold: Count  # least colour distance to differ

    def settings(self) -> dict[str, float | int]:
        return {
            "fRelLBSPThreshold": self.lbsp_threshold,
            "nDescDistThresholdOffset": 3,
            "nMinColorDistThreshold": self.color_threshold,
            "nBGSamples": self.samples,
            "nRequiredBGSamples": self.required_samples,
            "nSamplesForMovingAvgs": 100,
        }


class PAWCS(Section):
    lbsp_threshold: LbspThreshold
    color_threshold: Count
    words: Count  # most background words per pixel

    def settings(self) -> dict[str, float | int]:
        return {
            "fRelLBSPThreshold": self.lbsp_threshold,
            "nDescDistThresholdOffset": 2,
            "nMinColorDistThreshold": self.color_threshold,
            "nMaxNbWords": self.words,
            "nSamplesForMovingAvgs": 100,
        }


class LOBSTER(Sampled):
    lbsp_threshold: LbspThreshold
    color_threshold: Count

    def settings(self) -> dict[str, float | int]:
        return {
            "fRelLBSPThreshold": self.lbsp_threshold,
            "nLBSPThresholdOffset": 0,
            "nDescDistThreshold": 4,
            "nColorDistThreshold": self.color_threshold,
            "nBGSamples": self.samples,
            "nRequiredBGSamples": self.required_samples,
        }


class ViBe(Section):
    threshold: Count  # colour distance to match a sample
    required_samples: Count  # samples that must match for background
    update_factor: Count  # 1 in this many background pixels updates its model

    def settings(self) -> dict[str, float | int]:
        return {
            "matchingThreshold": self.threshold,
            "matchingNumber": self.required_samples,
            "updateFactor": self.update_factor,
        }


# The single methods by their params.yaml name, with the class of their block of knobs.
METHOD_KNOBS: dict[str, type[Section]] = {
    "mog2": MOG2,
    "knn": KNN,
    "gsoc": GSOC,
    "cnt": CNT,
    "subsense": SuBSENSE,
    "pawcs": PAWCS,
    "lobster": LOBSTER,
    "vibe": ViBe,
}
METHODS = tuple(METHOD_KNOBS)

# Every subtractor by its params.yaml name, with the class of its block of knobs.
SUBTRACTOR_KNOBS: dict[str, type[Section]] = dict(METHOD_KNOBS)
SUBTRACTORS = tuple(SUBTRACTOR_KNOBS)


def _zero_or_odd(value: int) -> int:
    if value and value % 2 == 0:
        raise ValueError("must be 0 or odd")
    return value


class Cleanup(Section):
    """`video.cleanup`: what every subtractor's raw mask goes through, in this order."""

    threshold: Annotated[int, Field(ge=0, le=254)]  # keep values above it (drops shadows, 127)
    open_kernel: Annotated[int, Field(ge=0)]  # morphological opening (removes specks); 0 = off
    close_kernel: Annotated[int, Field(ge=0)]  # morphological closing (fills gaps); 0 = off
    median_kernel: Annotated[int, Field(ge=0), AfterValidator(_zero_or_odd)]  # 0 = off


class Output(Section):
    """`video.output`: the composited video."""

    feather: Annotated[float, Field(ge=0)]  # Gaussian sigma (pixels) of a soft edge; 0 = hard
    codec: Annotated[str, Field(min_length=4, max_length=4)]  # four characters, such as mp4v
    container: Annotated[str, Field(pattern=r"^[A-Za-z0-9]+$")]  # a file extension: mp4, avi


class VideoParams(Section):
    """`video` in params.yaml: the `video` stage reads all of it."""

    input: str  # a video file, or a folder of numbered frame images
    background: str  # the replacement background image (resized to the frame)
    ground_truth: str  # masks .npy, a folder of mask images (CDnet), or `none`
    warmup: Annotated[int, Field(ge=0)]  # frames not scored (without a temporalROI.txt)
    subtractor: Literal[SUBTRACTORS]
    cleanup: Cleanup
    output: Output
    mog2: MOG2
    knn: KNN
    gsoc: GSOC
    cnt: CNT
    subsense: SuBSENSE
    pawcs: PAWCS
    lobster: LOBSTER
    vibe: ViBe

    def knobs(self) -> Section:
        """The block of the subtractor chosen."""
        return getattr(self, self.subtractor)
