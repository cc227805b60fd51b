"""The pipeline's models, each described once: what it does, what it reads, how it is judged.

Datasets, training, evaluation, the seed-sweep summary, the experiments table and the tests read
this table; `dvc.yaml`'s `models` list names the same models (a test checks it). A model's
network is its params section's `arch` (models.ARCHS).
"""

from __future__ import annotations

from dataclasses import dataclass

from mnistseg.data.arrays import CIRCLE_ARRAYS, COMPOSITE_ARRAYS, OTSU_ARRAYS
from mnistseg.nets.config import CircleParams, SegmentParams


@dataclass(frozen=True)
class ModelSpec:
    """One model of the pipeline, trained and scored under its name (`segnet`, ...)."""

    task: str  # networks.TASKS: `segment` (a mask) or `circle` (a class and a circle mask)
    arrays: tuple[str, ...]  # the arrays of its dataset folder it reads (arrays.*_ARRAYS)
    params: type[SegmentParams]  # the model of its params.yaml section, named as the model
    headline: tuple[str, ...]  # the scores it is compared by; the first one stands for it
    digits: bool  # it reads one digit at MNIST's size (else pictures of any size: composites)


MODELS: dict[str, ModelSpec] = {
    "segnet": ModelSpec("segment", OTSU_ARRAYS, SegmentParams, ("mean_iou",), digits=True),
    "circlenet": ModelSpec(
        "circle", CIRCLE_ARRAYS, CircleParams, ("gated_iou", "accuracy"), digits=True
    ),
    "unet": ModelSpec("segment", COMPOSITE_ARRAYS, SegmentParams, ("mean_dice",), digits=False),
}
