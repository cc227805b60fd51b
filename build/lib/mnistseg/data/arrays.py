"""Names of the arrays each dataset stage writes, per split, and loading them back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mnistseg.fileio import load_arrays, save_arrays, staged_dir

SPLITS = ("train", "test")
# Every dataset folder holds <split>/<name>.npy for each name below.
OTSU_ARRAYS = ("images", "labels", "masks", "thresholds")
CIRCLE_ARRAYS = ("images", "masks", "circles", "labels", "digit_masks")
COMPOSITE_ARRAYS = ("images", "masks", "tiles", "tile_labels")


def write_dataset(
    out: Path, make_split: Callable[[str], dict[str, np.ndarray]]
) -> dict[str, dict[str, np.ndarray]]:
    """Write a dataset folder: `make_split(split)`'s arrays as out/<split>/<name>.npy for each
    of SPLITS, all or nothing (a failure leaves `out` as it was). Returns the arrays by split."""
    made = {}
    with staged_dir(out) as tmp:
        for split in SPLITS:
            made[split] = make_split(split)
            save_arrays(tmp / split, made[split])
    return made


def load_split(
    root: Path, split: str, names: tuple[str, ...], mmap: bool = True
) -> dict[str, np.ndarray]:
    """Load the named arrays of one split of a dataset folder."""
    return load_arrays(Path(root) / split, names, mmap=mmap)


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
    root: Path,
    split: str,
    names: tuple[str, ...],
    input_kind: str = "image",
    circle_from: str = "decoder",
) -> ModelSplit:
    """Load one split of a model's dataset: the arrays `names` (registry.ModelSpec.arrays), all
    in memory (training reads them many times)."""
    arrays = load_split(root, split, names, mmap=False)
    # The assignment's circle variant fed the circle mask itself to the network.
    inputs = {"image": arrays["images"], "circle_mask": arrays.get("masks")}.get(input_kind)
    # A net whose circle is fitted to its digit mask learns the digit mask.
    targets = {"decoder": arrays["masks"], "digit_mask": arrays.get("digit_masks")}.get(circle_from)
    if inputs is None or targets is None:
        raise ValueError(
            f"a dataset of {', '.join(names)} gives no {input_kind!r} inputs "
            f"or no {circle_from!r} targets"
        )
    return ModelSplit(arrays["images"], inputs, targets, arrays["masks"], arrays.get("labels"))
