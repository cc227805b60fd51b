"""Names of the arrays each dataset stage writes, per split, and loading them back."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mnistseg.fileio import load_arrays

SPLITS = ("train", "test")
# Every dataset folder holds <split>/<name>.npy for each name below.
OTSU_ARRAYS = ("images", "labels", "masks", "thresholds")
CIRCLE_ARRAYS = ("masks", "circles", "labels")
COMPOSITE_ARRAYS = ("images", "masks", "tiles", "tile_labels")


def load_split(
    root: Path, split: str, names: tuple[str, ...], mmap: bool = True
) -> dict[str, np.ndarray]:
    """Load the named arrays of one split of a dataset folder."""
    return load_arrays(Path(root) / split, names, mmap=mmap)
