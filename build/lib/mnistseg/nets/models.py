"""The pipeline's three models, each described once: one class per model, its params.yaml section.

A model's class says what it reads (the arrays of its dataset, digits or pictures of any size),
its task and the scores it is judged by; its fields are its network's knobs and how it trains,
checked by pydantic as params.yaml is read. The network is built from it (networks.py), the
checkpoint stores it (inference.py), and the stages, the commands and `dvc.yaml`'s `models`
list name the models by MODELS' keys. Nothing here imports torch: naming or listing the models
is cheap.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from mnistseg.data.arrays import CIRCLE_ARRAYS, COMPOSITE_ARRAYS, OTSU_ARRAYS
from mnistseg.params import Section

TASKS = ("segment", "circle")  # a mask; or a digit's class and its circle mask
UNET = "unet"  # the one network with a depth of its own (its pooling levels)
ASSIGNMENT_LEVELS = 2  # the assignment's networks pool twice: their input side divides by 4


class EpochParams(Section):
    """`epochs` at the top of params.yaml, read by every training stage."""

    epochs: Annotated[int, Field(ge=1)]


class Model(Section):
    """What every model's section holds. `arch` names its network (networks.NETWORKS);
    `depth` is the U-Net's alone: required with `arch: unet`, refused with the others."""

    name: ClassVar[str]  # its params.yaml section, its stages (train@<name>, ...), its files
    task: ClassVar[str]  # one of TASKS
    arrays: ClassVar[tuple[str, ...]]  # the arrays of its dataset folder it reads
    headline: ClassVar[tuple[str, ...]]  # the scores it is compared by; the first stands for it
    digits: ClassVar[bool]  # it reads one digit at MNIST's size (else pictures of any size)

    arch: str
    width: Annotated[int, Field(ge=1)]  # channels of the first level; each level down doubles
    depth: Annotated[int, Field(ge=1, le=4)] | None = None  # arch unet: pooling levels
    batch_size: Annotated[int, Field(ge=1)]
    lr: Annotated[float, Field(gt=0)]  # Adam's learning rate
    seed: Annotated[int, Field(ge=0)]
    val_fraction: Annotated[float, Field(ge=0, lt=1)]  # held-out slice of the training split

    @model_validator(mode="after")
    def depth_is_the_unets(self) -> Model:
        if self.arch == UNET and self.depth is None:
            raise ValueError("depth: arch unet needs it (its pooling levels, 1 to 4)")
        if self.arch != UNET and self.depth is not None:
            raise ValueError(f"depth: only arch unet has one, not {self.arch} (remove it)")
        return self

    def pooling_levels(self) -> int:
        """How many times the network halves its input: the input's side must divide by
        2 ** this."""
        return ASSIGNMENT_LEVELS if self.depth is None else self.depth

    def sees(self) -> tuple[str, str]:
        """(what the network sees, where its mask comes from): a segmentation model sees the
        image and its decoder draws the mask."""
        return "image", "decoder"


class SegnetModel(Model):
    """`segnet` (Q2): a digit's foreground, learnt from its Otsu mask, scored by mean IoU."""

    name: ClassVar[str] = "segnet"
    task: ClassVar[str] = "segment"
    arrays: ClassVar[tuple[str, ...]] = OTSU_ARRAYS
    headline: ClassVar[tuple[str, ...]] = ("mean_iou",)
    digits: ClassVar[bool] = True

    arch: Literal["simple_segnet", "simple_unet", "unet"]


class CirclenetModel(Model):
    """`circlenet` (Q3): a digit's class and its minimum enclosing circle as a mask, scored by
    IoU counted 0 where the class is wrong."""

    name: ClassVar[str] = "circlenet"
    task: ClassVar[str] = "circle"
    arrays: ClassVar[tuple[str, ...]] = CIRCLE_ARRAYS
    headline: ClassVar[tuple[str, ...]] = ("gated_iou", "accuracy")
    digits: ClassVar[bool] = True

    arch: Literal["circlization_cnn", "unet"]
    input: Literal["image", "circle_mask"]  # the digit, or (the assignment's variant) the circle
    # the `decoder` draws the circle, or it is fitted (OpenCV) to the digit the net segments
    circle_from: Literal["decoder", "digit_mask"]

    def sees(self) -> tuple[str, str]:
        return self.input, self.circle_from


class UnetModel(Model):
    """`unet` (Q4): the digits' foreground in 2x2 composites, scored by mean Dice."""

    name: ClassVar[str] = "unet"
    task: ClassVar[str] = "segment"
    arrays: ClassVar[tuple[str, ...]] = COMPOSITE_ARRAYS
    headline: ClassVar[tuple[str, ...]] = ("mean_dice",)
    digits: ClassVar[bool] = False

    arch: Literal["simple_segnet", "simple_unet", "unet"]


# Every model by its name, in the order tables show them.
MODELS: dict[str, type[Model]] = {cls.name: cls for cls in (SegnetModel, CirclenetModel, UnetModel)}


def archs(cls: type[Model]) -> tuple[str, ...]:
    """The networks a model's `arch` can name."""
    return cls.model_fields["arch"].annotation.__args__
