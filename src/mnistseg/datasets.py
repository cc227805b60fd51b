"""Names of the arrays each dataset stage writes, per split, and loading them back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mnistseg.fileio import load_arrays

SPLITS = ("train", "test")
# Every dataset folder holds <split>/<name>.npy for each name below.
OTSU_ARRAYS = ("images", "labels", "masks", "thresholds")
CIRCLE_ARRAYS = ("images", "masks", "circles", "labels", "digit_masks")
COMPOSITE_ARRAYS = ("images", "masks", "tiles", "tile_labels")


def load_split(
    root: Path, split: str, names: tuple[str, ...], mmap: bool = True
) -> dict[str, np.ndarray]:
    """Load the named arrays of one split of a dataset folder."""
    return load_arrays(Path(root) / split, names, mmap=mmap)


# Which dataset each model learns from, and whether it also predicts the digit class.
MODEL_TASKS = {"segnet": "segment", "circlenet": "circle", "unet": "segment"}
MODEL_ARRAYS = {"segnet": OTSU_ARRAYS, "circlenet": CIRCLE_ARRAYS, "unet": COMPOSITE_ARRAYS}


@dataclass(frozen=True)
class ModelSplit:
    """What a model sees, learns and is scored on (all (N, H, W) uint8 but labels).

    images: what a person sees; inputs: what the net sees; targets: the masks it learns;
    masks: the masks it is scored on; labels: the digit class (None for composites).
    """

    images: np.ndarray
    inputs: np.ndarray
    targets: np.ndarray
    masks: np.ndarray
    labels: np.ndarray | None


def model_split(
    root: Path, split: str, model: str, input_kind: str = "image", circle_from: str = "decoder"
) -> ModelSplit:
    """Load one split of `model`'s dataset (all in memory: training reads it many times)."""
    if model not in MODEL_TASKS:
        raise ValueError(f"model must be one of {', '.join(MODEL_TASKS)}, got {model!r}")
    arrays = load_split(root, split, MODEL_ARRAYS[model], mmap=False)
    # The assignment's circle variant fed the circle mask itself to the network.
    inputs = {"image": arrays["images"], "circle_mask": arrays.get("masks")}.get(input_kind)
    # A net whose circle is fitted to its digit mask learns the digit mask.
    targets = {"decoder": arrays["masks"], "digit_mask": arrays.get("digit_masks")}.get(circle_from)
    if inputs is None or targets is None:
        raise ValueError(f"{model} cannot see {input_kind!r} and learn {circle_from!r}")
    return ModelSplit(arrays["images"], inputs, targets, arrays["masks"], arrays.get("labels"))
