"""Q1c: grids of random digits (2x2 by default) with their masks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import numpy as np
from pydantic import Field

from mnistseg.params import Section


class CompositeParams(Section):
    """`composites` in params.yaml."""

    train: Annotated[int, Field(ge=1)]  # composites of training digits (the assignment: 100)
    test: Annotated[int, Field(ge=1)]  # composites drawn from test digits, for scoring
    grid: Annotated[int, Field(ge=1, le=16)]  # grid x grid digits per composite (2: 56x56)
    seed: Annotated[int, Field(ge=0)]

    def count(self, split: str) -> int:
        """How many composites `split` gets."""
        return {"train": self.train, "test": self.test}[split]


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


def repeats(tiles: np.ndarray) -> np.ndarray:
    """(N, K) indices -> (N,) bool: which rows hold some index twice."""
    ordered = np.sort(tiles, axis=1)
    return (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)


def composite_grid(
    images: np.ndarray,
    masks: np.ndarray,
    labels: np.ndarray,
    count: int,
    grid: int,
    rng: np.random.Generator,
) -> Composites:
    """Draw `count` composites, each of grid x grid *different* digits picked uniformly.

    As the assignment's `random.sample`: no digit appears twice in one composite (it may in
    another). Rows drawn with a repeat are drawn again until none is left, which keeps every
    set of distinct digits equally likely.
    """
    cells = grid * grid
    if len(images) < cells:
        raise ValueError(f"a {grid}x{grid} composite needs {cells} digits, got {len(images)}")
    tiles = rng.integers(0, len(images), size=(count, cells))
    redraw = repeats(tiles)
    while redraw.any():
        tiles[redraw] = rng.integers(0, len(images), size=(int(redraw.sum()), cells))
        redraw = repeats(tiles)
    return Composites(
        images=tile_grid(images[tiles], grid),
        masks=tile_grid(masks[tiles], grid),
        tiles=tiles,
        tile_labels=labels[tiles],
    )


def split_generators(seed: int, splits: tuple[str, ...]) -> dict[str, np.random.Generator]:
    """One generator per split, so changing one split's count leaves the others alone."""
    children = np.random.SeedSequence(seed).spawn(len(splits))
    return {split: np.random.default_rng(child) for split, child in zip(splits, children)}
