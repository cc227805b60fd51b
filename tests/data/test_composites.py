import numpy as np
import pytest

from mnistseg.data.arrays import SPLITS
from mnistseg.data.composites import (
    CompositeParams,
    composite_grid,
    repeats,
    split_generators,
    tile_grid,
)
from mnistseg.errors import ParamError
from mnistseg.params import validate_section


@pytest.fixture
def source():
    count = 50
    images = np.stack([np.full((28, 28), i, np.uint8) for i in range(count)])
    masks = (images % 2 * 255).astype(np.uint8)
    labels = (np.arange(count) % 10).astype(np.uint8)
    return images, masks, labels


@pytest.mark.parametrize("grid", [1, 2, 3])
def test_layout_places_tiles_row_by_row(source, grid):
    images, masks, labels = source
    made = composite_grid(images, masks, labels, 7, grid, np.random.default_rng(0))
    assert made.images.shape == made.masks.shape == (7, 28 * grid, 28 * grid)
    assert made.tiles.shape == made.tile_labels.shape == (7, grid * grid)
    for n in range(7):
        for k, index in enumerate(made.tiles[n]):
            r, c = divmod(k, grid)
            block = np.s_[n, 28 * r : 28 * (r + 1), 28 * c : 28 * (c + 1)]
            np.testing.assert_array_equal(made.images[block], images[index])
            np.testing.assert_array_equal(made.masks[block], masks[index])
            assert made.tile_labels[n, k] == labels[index]


def test_no_composite_repeats_a_digit(source):
    images, masks, labels = source
    # Four digits for four cells: with replacement almost every draw would repeat one.
    made = composite_grid(images[:4], masks[:4], labels[:4], 200, 2, np.random.default_rng(0))
    assert (np.sort(made.tiles, axis=1) == np.arange(4)).all()
    # Every ordering of the four turns up: the draw is uniform, not one fixed pattern.
    assert len({tuple(row) for row in made.tiles}) == 24
    many = composite_grid(images, masks, labels, 500, 3, np.random.default_rng(1))
    assert all(len(set(row)) == 9 for row in many.tiles)
    # Uniform over the digits: each of 50 turns up about 4500 / 50 = 90 times.
    uses = np.bincount(many.tiles.ravel(), minlength=len(images))
    assert uses.min() > 60 and uses.max() < 120


def test_too_few_digits_for_a_grid_is_refused(source):
    images, masks, labels = source
    with pytest.raises(ValueError, match="a 2x2 composite needs 4 digits, got 3"):
        composite_grid(images[:3], masks[:3], labels[:3], 1, 2, np.random.default_rng(0))


def test_repeats_flags_rows_with_a_twice_drawn_index():
    tiles = np.array([[0, 1, 2, 3], [3, 1, 2, 3], [5, 5, 0, 1], [9, 8, 7, 6]])
    np.testing.assert_array_equal(repeats(tiles), [False, True, True, False])


def test_same_seed_same_composites_other_seed_other(source):
    a = composite_grid(*source, 20, 2, np.random.default_rng(5))
    b = composite_grid(*source, 20, 2, np.random.default_rng(5))
    c = composite_grid(*source, 20, 2, np.random.default_rng(6))
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.tiles, b.tiles)
    assert not np.array_equal(a.tiles, c.tiles)


def test_tile_grid_two_by_two():
    stack = np.arange(4, dtype=np.uint8).reshape(1, 4, 1, 1)
    np.testing.assert_array_equal(tile_grid(stack, 2)[0], [[0, 1], [2, 3]])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"train": 0}, "composites.train: input should be greater than or equal to 1, got 0"),
        ({"grid": 17}, "composites.grid: input should be less than or equal to 16, got 17"),
    ],
)
def test_params_refuse_an_empty_or_huge_request(change, message):
    values = {"train": 10, "test": 5, "grid": 2, "seed": 0, **change}
    with pytest.raises(ParamError, match=message):
        validate_section(CompositeParams, values, "composites", "params.yaml")


def test_adding_a_split_leaves_the_others_generators_alone():
    two = split_generators(0, ("train", "test"))
    three = split_generators(0, ("train", "test", "extra"))
    assert two["train"].integers(10**9) == three["train"].integers(10**9)
    assert two["test"].integers(10**9) == three["test"].integers(10**9)
    assert split_generators(1, ("train",))["train"].integers(10**9) != three["extra"].integers(
        10**9
    )


def test_each_split_and_each_seed_draws_its_own_stream():
    """Not one generator seeded alike for every split (the test composites would repeat the
    training ones), nor seed + k for split k (seed 0's test split would be seed 1's train)."""
    first = {
        seed: {split: rng.integers(10**9) for split, rng in split_generators(seed, SPLITS).items()}
        for seed in (0, 1)
    }
    draws = [first[seed][split] for seed in (0, 1) for split in SPLITS]
    assert len(set(draws)) == len(draws)
