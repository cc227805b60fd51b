"""`mnistseg predict`: trained models on images as a user has them; bad input in one line."""

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from conftest import SHARED_MNIST, draw_digits, model_of
from mnistseg.commands import main as mnistseg
from mnistseg.data.circles import circle_masks
from mnistseg.data.mnist_form import in_mnist_form, mnist_form
from mnistseg.data.otsu import otsu_masks
from mnistseg.nets.device import placement
from mnistseg.nets.inference import load_model, predict
from mnistseg.nets.networks import build_network, checkpoint_bytes
from mnistseg.nets.training import fit, prepare, set_seeds

ON_CPU = placement(torch.device("cpu"))
TRAIN_COUNT = 1500


def mnist_like(images: np.ndarray) -> np.ndarray:
    """Digits as MNIST has them: white on a black (zero) background, in 20x20, centred by
    mass in 28x28 (so that predict reads them as they are)."""
    return np.stack([mnist_form(np.where(image > 40, image, 0).astype(np.uint8))[0]
                     for image in images])  # fmt: skip


@pytest.fixture(scope="module")
def digit_sets():
    """(train images, labels), (test images, labels): MNIST's where ../shared/mnist is, drawn
    digits elsewhere."""
    if SHARED_MNIST.is_dir():
        from mnistseg.data.sources import read_local, validate_files

        splits = validate_files(read_local(SHARED_MNIST))
        train = (
            np.array(splits["train"].images[:TRAIN_COUNT]),
            splits["train"].labels[:TRAIN_COUNT],
        )
        return train, (np.array(splits["test"].images[:64]), splits["test"].labels[:64])
    train = draw_digits(TRAIN_COUNT, seed=11)
    test = draw_digits(64, seed=12, widths=(2, 3))  # a pen's strokes, not a brush's
    test_images = mnist_like(test[0])
    assert all(in_mnist_form(image) for image in test_images)
    return (mnist_like(train[0]), train[1]), (test_images, test[1])


@pytest.fixture(scope="module")
def models(digit_sets, tmp_path_factory):
    """segnet's and circlenet's checkpoints after a short training (the assignment's
    networks), in a folder laid out as a project: models/<name>.pt."""
    from mnistseg.data.arrays import ModelSplit

    (images, labels), _ = digit_sets
    masks, _ = otsu_masks(images)
    circles, _, _ = circle_masks(masks)
    root = tmp_path_factory.mktemp("predict")
    (root / "models").mkdir()
    common = {"batch_size": 32, "lr": 0.003, "seed": 0, "val_fraction": 0.0}
    for name, targets in (("segnet", masks), ("circlenet", circles)):
        params = model_of(name, **common)
        set_seeds(0)
        run = prepare(ModelSplit(images, images, targets, targets, labels), params, ON_CPU)
        list(fit(run, epochs=2))
        (root / "models" / f"{name}.pt").write_bytes(checkpoint_bytes(run.network, params))
    return root


def run_predict(*args: str) -> None:
    mnistseg(["predict", *map(str, args), "--device", "cpu"])


def read_outputs(out):
    records = json.loads((out / "predictions.json").read_text())
    masks = [cv2.imread(str(out / r["mask"]), cv2.IMREAD_GRAYSCALE) > 0 for r in records]
    return records, masks


@pytest.mark.parametrize("model", ["segnet", "circlenet"])
def test_mnist_digits_as_png_get_what_the_evaluate_stage_gives(models, digit_sets, tmp_path, model):
    _, (images, labels) = digit_sets
    folder = tmp_path / "digits"
    folder.mkdir()
    for i, image in enumerate(images):
        cv2.imwrite(str(folder / f"{i:03d}.png"), image)
    run_predict(models / "models" / f"{model}.pt", folder, "--out", tmp_path / "out")
    records, masks = read_outputs(tmp_path / "out")
    # What the evaluate stage computes for these digits (its targets play no part).
    network, loaded = load_model(models / "models" / f"{model}.pt", ON_CPU)
    expected = predict(network, loaded, images, ON_CPU)
    np.testing.assert_array_equal(np.stack(masks), expected.masks)
    if model == "circlenet":
        assert [r["class"] for r in records] == expected.labels.tolist()
        probabilities = [r["probability"] for r in records]
        winners = expected.probabilities[np.arange(len(images)), expected.labels]
        np.testing.assert_allclose(probabilities, winners, rtol=1e-6)
        assert (expected.labels == labels).mean() > 0.7  # it did learn
    else:
        assert "class" not in records[0]


def big_on_paper(
    digit: np.ndarray, scale: int, at: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The digit drawn `scale` times larger, dark ink on light paper (a BGR photo of 360x480),
    with its top-left corner at `at` (row, column); and the drawn digit's mask."""
    big = cv2.resize(digit, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    paper = np.full((360, 480, 3), (205, 215, 225), np.uint8)
    y, x = at
    ink = (big.astype(np.float32) / 255)[..., None]
    region = paper[y : y + big.shape[0], x : x + big.shape[1]]
    region[:] = (region * (1 - ink) + np.array([60, 40, 30]) * ink).astype(np.uint8)
    truth = np.zeros(paper.shape[:2], bool)
    truth[y : y + big.shape[0], x : x + big.shape[1]] = big > 127
    return paper, truth


# The digit model's mask of a big digit, taken back from 28x28 and compared with the digit as
# drawn: at least this IoU (MNIST's own digits score about 0.8 at 28x28 after this training).
LEAST_IOU = 0.6


def test_a_big_off_centre_dark_digit_on_light_paper_is_found_and_read(models, digit_sets, tmp_path):
    _, (images, labels) = digit_sets
    folder = tmp_path / "photos"
    folder.mkdir()
    truths = {}
    places = [(20, 300), (150, 30), (60, 180), (200, 330), (10, 10), (120, 250)]
    for i, (digit, at) in enumerate(zip(images[:6], places)):
        paper, truths[f"{i}.jpg"] = big_on_paper(digit, scale=5, at=at)
        cv2.imwrite(str(folder / f"{i}.jpg"), paper)
    run_predict(models / "models" / "segnet.pt", folder, "--out", tmp_path / "seg")
    run_predict(models / "models" / "circlenet.pt", folder, "--out", tmp_path / "circle")
    segments, masks = read_outputs(tmp_path / "seg")
    circles, _ = read_outputs(tmp_path / "circle")
    # The classes the circle model gives the digits at MNIST's size, in MNIST's form.
    network, loaded = load_model(models / "models" / "circlenet.pt", ON_CPU)
    in_form = predict(network, loaded, images[:6], ON_CPU)
    for record, mask, circle, label in zip(segments, masks, circles, in_form.labels):
        truth = truths[record["image"].rsplit("/", 1)[-1].rsplit("\\", 1)[-1]]
        assert mask.shape == truth.shape
        iou = (mask & truth).sum() / (mask | truth).sum()
        assert iou >= LEAST_IOU, (record["image"], iou)
        assert circle["class"] == label, circle
        ys, xs = np.nonzero(truth)  # the circle is around the digit, in the photo's pixels
        centre = np.array([circle["circle"]["x"], circle["circle"]["y"]])
        assert np.hypot(*(centre - [xs.mean(), ys.mean()])) < circle["circle"]["radius"]
    assert sum(c["class"] == y for c, y in zip(circles, labels[:6])) >= 4


def test_the_composites_model_takes_any_size_its_pooling_takes(tmp_path):
    torch.manual_seed(0)
    model = model_of("unet", width=4)
    (tmp_path / "unet.pt").write_bytes(checkpoint_bytes(build_network(model), model))
    picture = np.zeros((45, 61), np.uint8)
    picture[10:30, 20:40] = 255
    cv2.imwrite(str(tmp_path / "grid.png"), picture)
    run_predict(tmp_path / "unet.pt", tmp_path / "grid.png", "--out", tmp_path / "out")
    _, masks = read_outputs(tmp_path / "out")
    network, _ = load_model(tmp_path / "unet.pt", ON_CPU)
    padded = np.zeros((48, 64), np.uint8)
    padded[:45, :61] = picture
    expected = predict(network, model, padded[None], ON_CPU).masks[0]
    np.testing.assert_array_equal(masks[0], expected[:45, :61])


def names_in_one_line(capsys, args, start: str) -> None:
    with pytest.raises(SystemExit) as exited:
        run_predict(*args)
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {start}"), err
    assert err.count("\n") == 1, err


def test_what_stops_it_before_any_work_is_one_line_and_writes_nothing(
    models, digit_sets, tmp_path, capsys, monkeypatch
):
    _, (images, _) = digit_sets
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), images[0])
    out = tmp_path / "out"
    circle = models / "models" / "circlenet.pt"
    (tmp_path / "empty").mkdir()
    empty = tmp_path / "empty"
    names_in_one_line(capsys, [circle, empty, "--out", out], f"{empty}: a folder with no images")
    gone = tmp_path / "gone.png"
    names_in_one_line(capsys, [circle, good, gone, "--out", out], f"{gone}: no such file")
    not_a_model = tmp_path / "model.pt"
    not_a_model.write_bytes(b"weights?")
    names_in_one_line(capsys, [not_a_model, good, "--out", out], f"{not_a_model}: not a checkpoint")
    names_in_one_line(
        capsys,
        ["circlnet", good, "--out", out],
        "circlnet: neither a model (segnet, circlenet, unet) nor a checkpoint file",
    )
    # The checkpoint of another model under a model's name.
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / ".dvc").mkdir()
    (project / "dvc.yaml").write_text("stages: {}\n")
    (project / "models" / "segnet.pt").write_bytes(circle.read_bytes())
    monkeypatch.chdir(project)
    names_in_one_line(
        capsys, ["segnet", good, "--out", out], f"{project / 'models/segnet.pt'}: the checkpoint"
    )
    names_in_one_line(capsys, ["unet", good, "--out", out], f"{project / 'models/unet.pt'}: no")
    monkeypatch.chdir(tmp_path)
    names_in_one_line(
        capsys, ["segnet", good, "--out", out], f"segnet: no DVC project in {tmp_path}"
    )
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_every_picture_gets_its_answer_or_its_reason_and_the_good_ones_are_written(
    models, digit_sets, tmp_path, capsys
):
    _, (images, _) = digit_sets
    folder = tmp_path / "mixed"
    folder.mkdir()
    for i in range(3):
        cv2.imwrite(str(folder / f"{i}.png"), images[i])
    cv2.imwrite(str(folder / "blank.png"), np.full((50, 40), 200, np.uint8))  # a blank page
    (folder / "junk.png").write_text("not an image")
    cv2.imwrite(str(folder / "tiny.png"), np.zeros((5, 40), np.uint8))
    with pytest.raises(SystemExit) as exited:
        run_predict(models / "models" / "circlenet.pt", folder, "--out", tmp_path / "out")
    assert exited.value.code == 1
    said = capsys.readouterr()
    lines = said.out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        str(folder / name) for name in ("0.png", "1.png", "2.png", "blank.png", "junk.png",
                                        "tiny.png")
    ]  # fmt: skip
    assert said.err == "3 of 6 pictures had no answer\n"
    records = json.loads((tmp_path / "out" / "predictions.json").read_text())
    assert [r.get("error") for r in records[:3]] == [None] * 3
    assert records[3]["error"].startswith("no digit")
    assert records[4]["error"] == "OpenCV cannot read it as an image"
    assert records[5]["error"].startswith("40x5 pixels, too small")
    assert lines[3] == f"{folder / 'blank.png'}: no answer: {records[3]['error']}"
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(
        [*(f"{i}_{kind}.png" for i in range(3) for kind in ("mask", "overlay")), "predictions.json"]
    )


def user_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


@pytest.mark.parametrize("where", ["a folder of the user's", "the working folder"])
def test_nothing_of_the_users_is_lost_or_changed(models, digit_sets, tmp_path, monkeypatch, where):
    _, (images, _) = digit_sets
    mine = tmp_path / "mine"
    (mine / "notes").mkdir(parents=True)
    (mine / "thesis.txt").write_text("three years of work")
    (mine / "notes" / "0_mask.png").write_bytes(b"a file of the user's, named as an output")
    cv2.imwrite(str(tmp_path / "0.png"), images[0])
    before = user_files(mine)
    monkeypatch.chdir(mine)
    out = Path(".") if where == "the working folder" else mine
    run_predict(models / "models" / "segnet.pt", tmp_path / "0.png", "--out", out)
    after = user_files(mine)
    assert {name: after[name] for name in before} == before
    assert set(after) - set(before) == {"0_mask.png", "0_overlay.png", "predictions.json"}


def test_a_second_run_stops_on_the_first_runs_files_unless_told_to_overwrite(
    models, digit_sets, tmp_path, capsys
):
    _, (images, _) = digit_sets
    cv2.imwrite(str(tmp_path / "0.png"), images[0])
    cv2.imwrite(str(tmp_path / "1.png"), images[1])
    out = tmp_path / "out"
    (out / "keep.txt").parent.mkdir()
    (out / "keep.txt").write_text("mine")
    run_predict(models / "models" / "segnet.pt", tmp_path / "0.png", "--out", out)
    first = user_files(out)
    names_in_one_line(
        capsys,
        [models / "models" / "circlenet.pt", tmp_path / "0.png", tmp_path / "1.png", "--out", out],
        f"{out / '0_mask.png'}, {out / '0_overlay.png'}, {out / 'predictions.json'}: there already",
    )
    assert user_files(out) == first  # nothing written, nothing removed
    capsys.readouterr()
    run_predict(models / "models" / "circlenet.pt", tmp_path / "0.png", "--out", out, "--overwrite")
    again = user_files(out)
    assert again["keep.txt"] == b"mine" and set(again) == set(first)
    assert again["0_overlay.png"] != first["0_overlay.png"]  # the circle model's answer now
    assert "class" in json.loads(again["predictions.json"])[0]


def test_an_input_folder_is_no_place_for_the_answers(models, digit_sets, tmp_path, capsys):
    _, (images, _) = digit_sets
    photos = tmp_path / "photos"
    photos.mkdir()
    cv2.imwrite(str(photos / "0.png"), images[0])
    before = user_files(photos)
    segnet = models / "models" / "segnet.pt"
    for out in (photos, photos / "answers"):
        names_in_one_line(capsys, [segnet, photos, "--out", out], f"--out {out}: inside the input")
    assert user_files(photos) == before and not (photos / "answers").exists()


def test_a_models_name_finds_the_project_from_any_folder_inside_it(
    models, digit_sets, tmp_path, monkeypatch
):
    _, (images, _) = digit_sets
    cv2.imwrite(str(tmp_path / "0.png"), images[0])
    project = tmp_path / "project"
    (project / ".dvc").mkdir(parents=True)
    shutil.copytree(models / "models", project / "trained")
    (project / "dvc.yaml").write_text("artifacts:\n  circlenet: {path: trained/circlenet.pt}\n")
    deep = project / "notebooks" / "week1"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    run_predict("circlenet", tmp_path / "0.png", "--out", tmp_path / "named")
    run_predict(models / "models" / "circlenet.pt", tmp_path / "0.png", "--out", tmp_path / "file")
    assert (tmp_path / "named/predictions.json").read_text() == (
        tmp_path / "file/predictions.json").read_text()  # fmt: skip


def test_a_photo_is_read_upright_as_its_exif_says(tmp_path):
    from mnistseg.commands.predict import read_picture

    sideways = np.zeros((30, 60, 3), np.uint8)  # stored 60 wide, 30 high
    sideways[:, :10] = 255
    _, jpeg = cv2.imencode(".jpg", sideways)
    # An APP1 Exif segment with one IFD entry: Orientation (0x0112) = 6, rotate 90 clockwise.
    tiff = (
        b"MM\x00\x2a\x00\x00\x00\x08"  # big-endian TIFF, the first IFD at byte 8
        b"\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00"  # 1 entry: tag, SHORT, 1, 6
        b"\x00\x00\x00\x00"  # no next IFD
    )
    app1 = b"\xff\xe1" + (len(tiff) + 8).to_bytes(2, "big") + b"Exif\x00\x00" + tiff
    data = jpeg.tobytes()
    (tmp_path / "photo.jpg").write_bytes(data[:2] + app1 + data[2:])
    upright = read_picture(tmp_path / "photo.jpg")
    assert upright.shape[:2] == (60, 30)
    assert upright[:10].mean() > 200 and upright[20:].mean() < 50  # the stripe went to the top


def test_the_circle_is_drawn_wide_enough_to_see_on_a_big_photo():
    from mnistseg.commands.predict import drawn
    from mnistseg.nets.own_pictures import Answer

    def width_of_outline(side: int) -> int:
        found = Answer(np.zeros((side, side), bool), 3, 0.9, (side / 2, side / 2, side / 4))
        row = drawn(np.full((side, side), 255, np.uint8), found)[side // 2]
        green = (row[:, 1] > 150) & (row[:, 2] < 100)
        return int(green[: side // 2].sum())  # the left crossing of the outline

    assert width_of_outline(64) <= 2 and width_of_outline(1280) >= 4
