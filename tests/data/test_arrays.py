import numpy as np
import pytest

from mnistseg.data.arrays import CIRCLE_ARRAYS, SPLITS, load_split, model_split, write_dataset
from mnistseg.fileio import save_arrays


@pytest.fixture
def circles_dir(tmp_path):
    n = 4
    arrays = {
        "images": np.full((n, 28, 28), 1, np.uint8),
        "masks": np.full((n, 28, 28), 2, np.uint8),
        "circles": np.zeros((n, 3), np.float32),
        "labels": np.arange(n, dtype=np.uint8),
        "digit_masks": np.full((n, 28, 28), 3, np.uint8),
    }
    assert set(arrays) == set(CIRCLE_ARRAYS)
    save_arrays(tmp_path / "train", arrays)
    return tmp_path


@pytest.mark.parametrize(
    ("input_kind", "circle_from", "inputs", "targets"),
    [("image", "decoder", 1, 2), ("circle_mask", "decoder", 2, 2), ("image", "digit_mask", 1, 3)],
)
def test_what_the_circle_net_sees_and_learns(circles_dir, input_kind, circle_from, inputs, targets):
    split = model_split(circles_dir, "train", CIRCLE_ARRAYS, input_kind, circle_from)
    assert split.inputs[0, 0, 0] == inputs and split.targets[0, 0, 0] == targets
    assert split.masks[0, 0, 0] == 2 and split.labels.tolist() == [0, 1, 2, 3]


def test_defaults_are_the_image_and_the_decoders_circle(circles_dir):
    split = model_split(circles_dir, "train", CIRCLE_ARRAYS)
    assert split.inputs[0, 0, 0] == 1 and split.targets[0, 0, 0] == 2
    assert split.images[0, 0, 0] == 1 and split.images.shape == (4, 28, 28)


def test_a_model_split_is_in_memory_and_a_dataset_split_is_mapped(circles_dir):
    split = model_split(circles_dir, "train", CIRCLE_ARRAYS)
    for array in (split.images, split.inputs, split.targets, split.masks, split.labels):
        assert not isinstance(array, np.memmap)
    mapped = load_split(circles_dir, "train", ("images",))
    assert isinstance(mapped["images"], np.memmap)
    assert not isinstance(
        load_split(circles_dir, "train", ("images",), mmap=False)["images"], np.memmap
    )


@pytest.mark.parametrize(("input_kind", "circle_from"), [("mask", "decoder"), ("image", "x")])
def test_an_unknown_input_or_target_is_refused(circles_dir, input_kind, circle_from):
    with pytest.raises(ValueError) as err:
        model_split(circles_dir, "train", CIRCLE_ARRAYS, input_kind, circle_from)
    assert str(err.value) == (
        "a dataset of images, masks, circles, labels, digit_masks gives no "
        f"{input_kind!r} inputs or no {circle_from!r} targets"
    )


def test_write_dataset_writes_every_split_and_returns_its_arrays(tmp_path):
    def make_split(split):
        return {"images": np.full((2, 3, 3), len(split), np.uint8), "labels": np.arange(2)}

    made = write_dataset(tmp_path / "out", make_split)
    assert list(made) == list(SPLITS) == ["train", "test"]
    for split in SPLITS:
        loaded = load_split(tmp_path / "out", split, ("images", "labels"))
        assert (loaded["images"] == len(split)).all() and loaded["labels"].tolist() == [0, 1]
        assert made[split]["images"][0, 0, 0] == len(split)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["test", "train"]


def test_write_dataset_leaves_nothing_when_a_split_fails(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("kept")

    def make_split(split):
        if split == "test":
            raise ValueError("no digits")
        return {"images": np.zeros((1, 2, 2), np.uint8)}

    with pytest.raises(ValueError, match="no digits"):
        write_dataset(tmp_path / "out", make_split)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["old.txt"]
