"""The knobs of the network stages: `epochs`, and each model's section of params.yaml."""

from __future__ import annotations

from dataclasses import fields
from typing import Annotated, Literal

from pydantic import Field

from mnistseg.nets.networks import ARCHS, CIRCLE_SOURCES, INPUTS, ModelConfig
from mnistseg.params import Section


def archs(task: str) -> tuple[str, ...]:
    """The registered networks that can do `task`, in the order networks.py registers them."""
    return tuple(name for name, arch in ARCHS.items() if task in arch.tasks)


class EpochParams(Section):
    """`epochs` at the top of params.yaml, read by every training stage."""

    epochs: Annotated[int, Field(ge=1)]


class SegmentParams(Section):
    """The section of a segmentation model (`segnet`, `unet`) in params.yaml."""

    arch: Literal[archs("segment")]
    width: Annotated[int, Field(ge=1)]  # channels of the first level; each level down doubles
    depth: Annotated[int, Field(ge=1, le=4)]  # pooling levels (arch unet only)
    batch_size: Annotated[int, Field(ge=1)]
    lr: Annotated[float, Field(gt=0)]  # Adam's learning rate
    seed: Annotated[int, Field(ge=0)]
    val_fraction: Annotated[float, Field(ge=0, lt=1)]  # held-out slice of the training split

    def sees(self) -> tuple[str, str]:
        """(what the network sees, where its mask comes from), as ModelConfig names them: a
        segmentation model sees the image and its decoder draws the mask."""
        return "image", "decoder"

    def network(self, task: str, image_size: int) -> ModelConfig:
        """The network these params describe, for `task` on square images of `image_size`."""
        values = self.model_dump()
        shape = {f.name: values[f.name] for f in fields(ModelConfig) if f.name in values}
        return ModelConfig(task=task, image_size=image_size, **shape)


class CircleParams(SegmentParams):
    """The `circlenet` section: a segmentation model's knobs plus what it sees and predicts."""

    arch: Literal[archs("circle")]
    input: Literal[INPUTS]  # the digit `image`, or the `circle_mask` itself
    circle_from: Literal[CIRCLE_SOURCES]  # the `decoder` draws it, or it is fit to a `digit_mask`

    def sees(self) -> tuple[str, str]:
        return self.input, self.circle_from
