import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from mnistseg.errors import InputError
from mnistseg.fileio import (
    files_into,
    load_arrays,
    refuse_existing,
    save_arrays,
    staged_dir,
    staged_file,
    write_bytes,
    write_json,
)
from scratch import REPO


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
    with pytest.raises(FileNotFoundError) as err:
        load_arrays(tmp_path / "split", ("masks",))
    assert str(err.value).endswith(
        f"{tmp_path / 'split' / 'masks.npy'}: missing (run `dvc repro` to build it)"
    )


KILLED_MID_WRITE = """
import os, signal, sys
from pathlib import Path
from mnistseg.fileio import staged_dir, staged_file
out = Path(sys.argv[1])
with staged_dir(out / "live") as tmp, staged_file(out / "model.pt") as part:
    (tmp / "half").write_text("written")
    part.write_bytes(b"half")
    os.kill(os.getpid(), signal.SIGKILL)  # as `kill -9` mid-write
"""


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no SIGKILL to send to itself")
def test_a_killed_write_leaves_litter_that_the_next_run_sweeps(tmp_path):
    out = tmp_path / "out"
    (out / "live").mkdir(parents=True)
    (out / "live" / "old").write_text("previous run")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    child = subprocess.run([sys.executable, "-c", KILLED_MID_WRITE, str(out)], env=env, check=False)
    assert child.returncode == -signal.SIGKILL
    hidden = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    assert len(hidden) == 2 and all(".partial" in name for name in hidden)
    assert (out / "live" / "old").read_text() == "previous run"  # the old output is intact
    # Staging of other outputs in the folder, and a user's hidden files, are not touched.
    keep = [out / ".live2.abcdefgh.partial", out / ".live.notes", out / ".live.abc.partial"]
    keep[0].mkdir()
    for path in keep[1:]:
        path.write_text("mine")
    with staged_dir(out / "live") as tmp:
        (tmp / "new").write_text("this run")
    write_bytes(out / "model.pt", b"whole")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["live", "model.pt", *(path.name for path in keep)]
    )
    assert [p.name for p in (out / "live").iterdir()] == ["new"]
    assert (out / "model.pt").read_bytes() == b"whole"


@pytest.mark.parametrize("suffix", [".avi", ".npy", ""])
def test_a_staged_file_keeps_the_final_suffix(tmp_path, suffix):
    with staged_file(tmp_path / f"clip{suffix}") as part:
        assert part.suffix == suffix or (suffix == "" and part.name.endswith(".partial"))
        assert part.parent == tmp_path and part.name.startswith(f".clip{suffix}.")
        part.write_bytes(b"x")
    assert [p.name for p in tmp_path.iterdir()] == [f"clip{suffix}"]


def files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


def test_files_into_moves_its_files_in_and_leaves_the_rest(tmp_path):
    folder = tmp_path / "mine"
    (folder / "sub").mkdir(parents=True)
    (folder / "keep.txt").write_text("mine")
    (folder / "sub" / "other.txt").write_text("mine too")
    with files_into(folder) as tmp:
        (tmp / "sub").mkdir()
        (tmp / "sub" / "new.txt").write_text("new")
        (tmp / "top.txt").write_text("top")
    assert files(folder) == {"keep.txt": b"mine", "sub/other.txt": b"mine too",
                             "sub/new.txt": b"new", "top.txt": b"top"}  # fmt: skip


def test_files_into_moves_nothing_when_a_file_is_there_unless_told(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "b.txt").write_text("mine")
    refused = pytest.raises(
        InputError, match=r"b.txt: there already \(--overwrite replaces them\)$"
    )
    with refused, files_into(folder) as tmp:
        (tmp / "a.txt").write_text("a")
        (tmp / "b.txt").write_text("b")
    assert files(folder) == {"b.txt": b"mine"}  # not a.txt either: all or nothing
    with files_into(folder, overwrite=True) as tmp:
        (tmp / "b.txt").write_text("b")
    assert files(folder) == {"b.txt": b"b"}


def test_files_into_a_folder_it_made_removes_it_on_failure_and_keeps_one_it_found(tmp_path):
    for made in (True, False):
        folder = tmp_path / f"made-{made}"
        if not made:
            folder.mkdir()
        with pytest.raises(RuntimeError), files_into(folder) as tmp:
            (tmp / "half.txt").write_text("half")
            raise RuntimeError("half way")
        assert folder.exists() is not made
        assert not made or not list(tmp_path.glob("made-True*"))
    assert list((tmp_path / "made-False").iterdir()) == []


def test_refuse_existing_lists_five_then_counts(tmp_path):
    for i in range(7):
        (tmp_path / f"{i}.png").write_bytes(b"")
    with pytest.raises(InputError) as raised:
        refuse_existing(tmp_path, [f"{i}.png" for i in range(8)], overwrite=False)
    assert str(raised.value).startswith(f"{tmp_path / '0.png'}, ")
    assert "4.png and 2 more: there already" in str(raised.value)
    refuse_existing(tmp_path, ["0.png"], overwrite=True)


def test_files_into_refuses_a_file_by_its_path_in_the_folder_not_its_name(tmp_path):
    """sub/a.txt is refused where sub/a.txt is; a top-level a.txt does not stand in its way."""
    folder = tmp_path / "mine"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("mine")
    with files_into(folder) as tmp:
        (tmp / "sub").mkdir()
        (tmp / "sub" / "a.txt").write_text("new")
    assert files(folder) == {"a.txt": b"mine", "sub/a.txt": b"new"}
    with pytest.raises(InputError, match=r"sub/a.txt: there already"), files_into(folder) as tmp:
        (tmp / "sub").mkdir()
        (tmp / "sub" / "a.txt").write_text("newer")
        (tmp / "b.txt").write_text("b")
    assert files(folder) == {"a.txt": b"mine", "sub/a.txt": b"new"}


def test_a_failed_staged_file_leaves_the_old_file_and_nothing_beside_it(tmp_path):
    final = tmp_path / "model.pt"
    final.write_bytes(b"previous run")
    with pytest.raises(RuntimeError), staged_file(final) as part:
        part.write_bytes(b"half")
        raise RuntimeError("half way")
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]
    assert final.read_bytes() == b"previous run"


@pytest.mark.skipif(sys.platform == "win32", reason="links to folders need rights on Windows")
def test_a_linked_output_is_replaced_and_the_folder_it_points_to_left_alone(tmp_path):
    """DVC can link outputs to its cache: replacing one replaces the link, never what it
    points to."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "old").write_text("cached")
    (tmp_path / "out").symlink_to(cache, target_is_directory=True)
    with staged_dir(tmp_path / "out") as tmp:
        (tmp / "new").write_text("this run")
    assert not (tmp_path / "out").is_symlink()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["new"]
    assert (cache / "old").read_text() == "cached"


def test_a_users_file_where_a_subfolder_would_go_stops_it_before_any_moves(tmp_path):
    (tmp_path / "sub").write_text("mine")
    with pytest.raises(InputError, match=r"sub/x.txt: there already"), files_into(tmp_path) as tmp:
        (tmp / "a.txt").write_text("a")
        (tmp / "sub").mkdir()
        (tmp / "sub" / "x.txt").write_text("x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]
    assert (tmp_path / "sub").read_text() == "mine"
