import numpy as np
import pytest

from mnistseg.fileio import load_arrays, save_arrays, staged_dir, write_bytes, write_json


def test_staged_dir_replaces_only_on_success(tmp_path):
    final = tmp_path / "out"
    with staged_dir(final) as tmp:
        (tmp / "a").write_text("1")
    with pytest.raises(RuntimeError), staged_dir(final) as tmp:
        (tmp / "a").write_text("2")
        raise RuntimeError("half way")
    assert (final / "a").read_text() == "1"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_json_is_stable_bytes(tmp_path):
    write_json(tmp_path / "m.json", {"b": 1, "a": 0.5})
    assert (tmp_path / "m.json").read_text() == '{\n  "a": 0.5,\n  "b": 1\n}\n'
    write_bytes(tmp_path / "m.json", b"x")
    assert (tmp_path / "m.json").read_bytes() == b"x"


def test_arrays_round_trip_and_a_missing_one_is_named(tmp_path):
    save_arrays(tmp_path / "split", {"images": np.arange(6, dtype=np.uint8).reshape(2, 3)})
    loaded = load_arrays(tmp_path / "split", ("images",), mmap=True)
    np.testing.assert_array_equal(loaded["images"], [[0, 1, 2], [3, 4, 5]])
    with pytest.raises(FileNotFoundError, match=r"split/masks.npy: missing"):
        load_arrays(tmp_path / "split", ("masks",))
