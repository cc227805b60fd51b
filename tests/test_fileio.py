import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from mnistseg.fileio import (
    load_arrays,
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
