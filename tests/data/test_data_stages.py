"""The data stages as scripts: outputs, shapes, determinism, and clean failure."""

import gzip
import shutil

import numpy as np
import pytest

from conftest import load_stage, write_params
from mnistseg.commands import main as mnistseg
from mnistseg.data.sources import FILE_NAMES


def download(source, out, folder):
    params = write_params(folder, {"data": {"source": source}})
    load_stage("download").main(["--params", str(params), "--out", str(out)])


@pytest.fixture(scope="module")
def built(tiny_mnist, tmp_path_factory):
    root = tmp_path_factory.mktemp("built")
    download([str(tiny_mnist)], root / "raw", root)
    load_stage("otsu").main(
        [
            "--raw",
            str(root / "raw"),
            "--out",
            str(root / "otsu"),
            "--preview",
            str(root / "otsu.png"),
        ]
    )
    load_stage("circles").main(
        [
            "--otsu",
            str(root / "otsu"),
            "--out",
            str(root / "circles"),
            "--preview",
            str(root / "circles.png"),
        ]
    )
    composites(root, "composites", seed=0)
    return root


def composites(root, name, seed, train=30, test=10, grid=2):
    params = write_params(
        root, {"composites": {"train": train, "test": test, "grid": grid, "seed": seed}}
    )
    load_stage("composites").main(
        ["--params", str(params), "--otsu", str(root / "otsu"), "--out", str(root / name),
         "--preview", str(root / f"{name}.png")]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("folder", "split", "name", "shape", "dtype"),
    [
        ("otsu", "train", "images", (300, 28, 28), np.uint8),
        ("otsu", "test", "masks", (100, 28, 28), np.uint8),
        ("otsu", "test", "thresholds", (100,), np.uint8),
        ("circles", "train", "circles", (300, 3), np.float32),
        ("circles", "test", "masks", (100, 28, 28), np.uint8),
        ("composites", "train", "images", (30, 56, 56), np.uint8),
        ("composites", "test", "tile_labels", (10, 4), np.uint8),
    ],
)
def test_outputs_have_the_right_shapes(built, folder, split, name, shape, dtype):
    array = np.load(built / folder / split / f"{name}.npy", mmap_mode="r")
    assert array.shape == shape and array.dtype == dtype
    assert (built / f"{folder}.png").stat().st_size > 0


def test_same_params_give_identical_bytes(built):
    composites(built, "again", seed=0)
    for name in ("images", "masks", "tiles", "tile_labels"):
        for split in ("train", "test"):
            first = (built / "composites" / split / f"{name}.npy").read_bytes()
            assert first == (built / "again" / split / f"{name}.npy").read_bytes()


def test_changing_the_test_count_keeps_the_train_composites(built):
    composites(built, "more-test", seed=0, test=20)
    np.testing.assert_array_equal(
        np.load(built / "composites/train/tiles.npy"), np.load(built / "more-test/train/tiles.npy")
    )


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[: len(data) // 2], "not a complete gzip file"),
        (
            lambda data: gzip.compress(b"\x00\x00\x08\x01" + gzip.decompress(data)[4:]),
            "wrong magic number",
        ),
    ],
    ids=["truncated", "magic"],
)
def test_bad_source_file_fails_cleanly(tiny_mnist, tmp_path, capsys, damage, message):
    source = tmp_path / "source"
    shutil.copytree(tiny_mnist, source)
    target = source / FILE_NAMES[0]
    target.write_bytes(damage(target.read_bytes()))
    out = tmp_path / "raw"
    with pytest.raises(SystemExit) as exit_info:
        download(str(source), out, tmp_path)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert FILE_NAMES[0] in err and message in err and "data.source" in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["params.yaml", "source"]


def test_failed_rerun_keeps_the_previous_output(tiny_mnist, tmp_path, capsys):
    out = tmp_path / "raw"
    download(str(tiny_mnist), out, tmp_path)
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(SystemExit):
        download(str(tmp_path / "nowhere"), out, tmp_path)
    assert "data.source" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == before


def test_bad_parameter_is_named(built, capsys):
    with pytest.raises(SystemExit):
        composites(built, "bad", seed=0, train=-3)
    assert "composites.train: input should be greater than or equal to 1, got -3" in (
        capsys.readouterr().err
    )
    assert not (built / "bad").exists()


def test_export_writes_the_assignment_layout(built, tmp_path):
    out = str(tmp_path / "out")
    mnistseg(["export", "composites", "test", out, "--limit", "3", "--data-dir", str(built)])
    assert sorted(p.name for p in (tmp_path / "out" / "images").iterdir()) == [
        "0.png",
        "1.png",
        "2.png",
    ]
    labels = (tmp_path / "out" / "labels" / "0.txt").read_text().split()
    expected = np.load(built / "composites/test/tile_labels.npy")[0]
    assert [int(v) for v in labels] == expected.tolist()


@pytest.mark.parametrize("limit", ["0", "-2"])
def test_export_refuses_a_limit_below_one(built, tmp_path, capsys, limit):
    with pytest.raises(SystemExit):
        mnistseg(["export", "otsu", "test", str(tmp_path / "out"), "--limit", limit])
    assert f"argument --limit: must be >= 1, got {limit}" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_export_without_the_datasets_says_which_file(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        mnistseg(["export", "otsu", "test", str(tmp_path / "out"), "--data-dir", str(tmp_path)])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and str(tmp_path / "otsu" / "test") in err
    assert not (tmp_path / "out").exists()


def test_otsu_without_download_says_what_to_run(tmp_path, capsys):
    (tmp_path / "raw").mkdir()
    with pytest.raises(SystemExit):
        load_stage("otsu").main(["--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "otsu"),
                                 "--preview", str(tmp_path / "otsu.png")])  # fmt: skip
    err = capsys.readouterr().err
    assert "missing train-images-idx3-ubyte.gz" in err and "Run the `download` stage" in err
    assert not (tmp_path / "otsu").exists()


def test_composites_are_drawn_from_their_own_splits_digits(built):
    """Train composites from train digits only (test ones from test digits): each tile is the
    Otsu image its index names in that split."""
    for split in ("train", "test"):
        digits = np.load(built / "otsu" / split / "images.npy")
        made = built / "composites" / split
        images, tiles = np.load(made / "images.npy"), np.load(made / "tiles.npy")
        assert tiles.min() >= 0 and tiles.max() < len(digits), split
        for k in range(4):
            r, c = divmod(k, 2)
            np.testing.assert_array_equal(
                images[:, 28 * r : 28 * (r + 1), 28 * c : 28 * (c + 1)], digits[tiles[:, k]]
            )


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


def test_export_into_a_users_folder_writes_its_files_and_touches_nothing_else(
    built, tmp_path, capsys, monkeypatch
):
    mine = tmp_path / "mine"
    (mine / "images").mkdir(parents=True)
    (mine / "thesis.txt").write_text("mine")
    (mine / "images" / "cover.png").write_bytes(b"mine too")
    before = tree(mine)
    monkeypatch.chdir(mine)
    export = ["export", "otsu", "test", ".", "--limit", "2", "--data-dir", str(built)]
    mnistseg(export)
    first = tree(mine)
    assert {k: first[k] for k in before} == before
    assert set(first) - set(before) == {
        f"{sub}/{i}.{ext}"
        for i in (0, 1)
        for sub, ext in (("images", "png"), ("masks", "png"), ("labels", "txt"))
    }
    with pytest.raises(SystemExit) as exited:  # a second run: its files are there
        mnistseg(export)
    assert exited.value.code == 1
    assert "images/0.png" in capsys.readouterr().err and tree(mine) == first
    (mine / "labels" / "0.txt").write_text("edited")
    mnistseg([*export, "--overwrite"])
    assert tree(mine) == first  # its own files replaced, the user's kept
