"""benchmarks/real_set.py on a small repository made here: the set as the table says, and a
folder that holds anything refused, nothing half-written left."""

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "real_set.py"


@pytest.fixture(scope="module")
def real_set():
    spec = importlib.util.spec_from_file_location("real_set", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["real_set"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def committed(folder: Path, files: dict[str, bytes]) -> str:
    """A git repository at folder/repo holding files, committed; the commit's id."""
    repo = folder / "repo"
    for path, data in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_bytes(data)
    run = dict(cwd=repo, check=True, capture_output=True)
    subprocess.run(["git", "init", "-q"], **run)
    subprocess.run(["git", "add", "."], **run)
    who = ["-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", *who, "commit", "-q", "-m", "digits"], **run)
    return subprocess.run(["git", "rev-parse", "HEAD"], **run, text=True).stdout.strip()


def with_source(real_set, monkeypatch, mirrors: Path, count: int) -> None:
    """The script's table made one source: the digits of `mirrors`, `count` of them."""
    repo = mirrors / "someone+digits" / "repo"
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()
    source = real_set.Source(
        "someone_digits", "photo", count, "someone/digits", commit, ("digits/",),
        rf"{real_set.WORD}(_copy)?\.png", left_out=("one.png",),
    )  # fmt: skip
    monkeypatch.setattr(real_set, "SOURCES", (source,))


@pytest.fixture
def mirrors(tmp_path):
    files = {
        "digits/three.png": b"3", "digits/seven.png": b"7", "digits/notes.txt": b"-",
        "digits/seven_copy.png": b"7", "digits/one.png": b"1",
    }  # fmt: skip
    committed(tmp_path / "mirrors" / "someone+digits", files)
    return tmp_path / "mirrors"


def test_the_set_is_the_tables_pictures_byte_for_byte_with_their_labels(
    tmp_path, real_set, mirrors, monkeypatch
):
    with_source(real_set, monkeypatch, mirrors, 2)
    real_set.build(tmp_path / "set", mirrors)
    with (tmp_path / "set" / "manifest.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    # one.png left out, notes.txt no picture, seven_copy.png seven.png's bytes: dropped.
    assert [(row["file"], row["label"]) for row in rows] == [
        ("someone_digits/three.png", "3"), ("someone_digits/seven.png", "7"),
    ]  # fmt: skip
    assert rows[0]["repo"] == "someone/digits" and rows[0]["kind"] == "photo"
    assert (tmp_path / "set" / "someone_digits" / "seven.png").read_bytes() == b"7"
    assert "someone/digits" in (tmp_path / "set" / "README.md").read_text()


def test_a_source_short_of_its_count_stops_the_build_before_anything_is_written(
    tmp_path, real_set, mirrors, monkeypatch
):
    with_source(real_set, monkeypatch, mirrors, 3)
    with pytest.raises(real_set.SetError, match=r"^someone_digits: took 2 pictures, not 3 .*"
                       r"repeats: digits/seven_copy.png = someone_digits/seven.png"):  # fmt: skip
        real_set.build(tmp_path / "set", mirrors)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mirrors"]


def test_a_folder_with_anything_in_it_is_refused_and_left_as_it_was(
    tmp_path, real_set, mirrors, monkeypatch
):
    with_source(real_set, monkeypatch, mirrors, 2)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.txt").write_bytes(b"my thesis")
    with pytest.raises(real_set.SetError, match="exists and is not an empty folder"):
        real_set.build(out, mirrors)
    assert [p.name for p in out.iterdir()] == ["thesis.txt"]
    assert (out / "thesis.txt").read_bytes() == b"my thesis"
