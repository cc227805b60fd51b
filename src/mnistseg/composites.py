"""Q1c: grids of random digits (2x2 by default) with their masks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Composites:
    """N composites of a grid x grid layout of digits.

    images, masks: (N, grid*H, grid*W) uint8. tiles: (N, grid*grid) int64 indices of the source
    digits in row-major tile order. tile_labels: (N, grid*grid) uint8 labels of those digits.
    """

    images: np.ndarray
    masks: np.ndarray
    tiles: np.ndarray
    tile_labels: np.ndarray


def tile_grid(stack: np.ndarray, grid: int) -> np.ndarray:
    """(N, grid*grid, H, W) -> (N, grid*H, grid*W), tiles placed row by row."""
    n, _, h, w = stack.shape
    return (
        stack.reshape(n, grid, grid, h, w).transpose(0, 1, 3, 2, 4).reshape(n, grid * h, grid * w)
    )


def composite_grid(
    images: np.ndarray,
    masks: np.ndarray,
    labels: np.ndarray,
    count: int,
    grid: int,
    rng: np.random.Generator,
) -> Composites:
    """Draw `count` composites, each of grid x grid digits picked uniformly with replacement."""
    if count < 1 or grid < 1:
        raise ValueError(f"count and grid must be >= 1, got count={count}, grid={grid}")
    tiles = rng.integers(0, len(images), size=(count, grid * grid))
    return Composites(
        images=tile_grid(images[tiles], grid),
        masks=tile_grid(masks[tiles], grid),
        tiles=tiles,
        tile_labels=labels[tiles],
    )
