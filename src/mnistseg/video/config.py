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


def _odd(value: int) -> int:
    if value % 2 == 0:
        raise ValueError("must be odd")
    return value


class Shadows(Section):
    """`video.vote.shadows`: foreground pixels that look like the background in shadow are
    turned back to background (CDnet counts hard shadows as background). A shadow darkens
    the background without changing its colour or its texture; a dark object changes one or
    the other (docs/video.md: the vote)."""

    remove: bool  # apply the rule
    # The member whose background the pixels are compared with (ViBe keeps no background
    # picture in BGSLibrary: its is black).
    background: Literal[tuple(m for m in METHODS if m != "vibe")]
    # Brightness as a share of the background's (frame . background / |background|^2): a
    # shadow's lies within [darkest, lightest].
    darkest: Annotated[float, Field(gt=0, lt=1)]
    lightest: Annotated[float, Field(gt=0, le=1)]
    max_angle: Annotated[float, Field(gt=0, le=1.6)]  # radians, colour vs background's colour
    min_correlation: Annotated[float, Field(ge=-1, le=1)]  # grey levels over the window
    window: Annotated[int, Field(ge=3), AfterValidator(_odd)]  # side of the texture window, odd

    @model_validator(mode="after")
    def lightest_above_darkest(self) -> Shadows:
        if self.lightest <= self.darkest:
            raise ValueError(
                f"lightest: must be above darkest ({self.darkest}), got {self.lightest}"
            )
        return self


class Members(Section):
    """`video.vote.members`: the methods that vote, each with its own knobs (the fields of its
    `video.<name>` block); a method left out does not vote."""

    mog2: MOG2 | None = None
    knn: KNN | None = None
    gsoc: GSOC | None = None
    cnt: CNT | None = None
    subsense: SuBSENSE | None = None
    pawcs: PAWCS | None = None
    lobster: LOBSTER | None = None
    vibe: ViBe | None = None

    def chosen(self) -> dict[str, Section]:
        """The members by name, in the order of METHODS."""
        return {name: getattr(self, name) for name in METHODS if getattr(self, name)}


class Vote(Section):
    """`video.vote`: several methods' masks combined pixel by pixel, on frames scaled down if
    asked, then the shadow rule; the mask is scaled back to the frame's size. Its members
    carry their knobs, so the vote's benchmark stages read this block alone."""

    members: Members
    votes: Count  # members that must mark a pixel for it to be foreground
    max_side: Annotated[int, Field(ge=0)]  # longer side of the frames the members see; 0 = as is
    shadows: Shadows

    @model_validator(mode="after")
    def votes_at_most_members(self) -> Vote:
        members = self.members.chosen()
        if not members:
            raise ValueError("members: must name at least one method, got none")
        if self.votes > len(members):
            raise ValueError(
                f"votes: must be <= the number of members ({len(members)}: "
                f"{', '.join(members)}), got {self.votes}"
            )
        if self.shadows.remove and self.shadows.background not in members:
            raise ValueError(
                f"shadows.background: must be one of the members ({', '.join(members)}), "
                f"got {self.shadows.background!r}"
            )
        return self


# Every subtractor by its params.yaml name, with the class of its block of knobs.
SUBTRACTOR_KNOBS: dict[str, type[Section]] = {**METHOD_KNOBS, "vote": Vote}
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
    vote: Vote

    def knobs(self) -> Section:
        """The block of the subtractor chosen."""
        return getattr(self, self.subtractor)
