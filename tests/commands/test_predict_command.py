"""`mnistseg predict`: trained models on images as a user has them; bad input in one line."""

import json

import cv2
import numpy as np
import pytest
import torch

from conftest import SHARED_MNIST, draw_digits, model_of
from mnistseg.commands import main as mnistseg
from mnistseg.data.circles import circle_masks
from mnistseg.data.otsu import otsu_masks
from mnistseg.nets.device import placement
from mnistseg.nets.inference import load_model, predict
from mnistseg.nets.networks import build_network, checkpoint_bytes
from mnistseg.nets.training import fit, prepare, set_seeds

ON_CPU = placement(torch.device("cpu"))
TRAIN_COUNT = 6000


def mnist_like(images: np.ndarray) -> np.ndarray:
    """Digits as MNIST has them: white on a black (zero) background."""
    return np.where(images > 40, images, 0).astype(np.uint8)


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
    train = draw_digits(TRAIN_COUNT // 2, seed=11)
    test = draw_digits(64, seed=12)
    return (mnist_like(train[0]), train[1]), (mnist_like(test[0]), test[1])


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
        np.testing.assert_allclose(probabilities, expected.confidence, rtol=1e-6)
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


def test_a_model_is_named_or_given_as_a_file(models, digit_sets, tmp_path, monkeypatch):
    _, (images, _) = digit_sets
    cv2.imwrite(str(tmp_path / "d.png"), images[0])
    monkeypatch.chdir(models)
    run_predict("circlenet", tmp_path / "d.png", "--out", tmp_path / "named")
    run_predict(models / "models" / "circlenet.pt", tmp_path / "d.png", "--out", tmp_path / "file")
    named, _ = read_outputs(tmp_path / "named")
    given, _ = read_outputs(tmp_path / "file")
    assert named == given and named[0]["image"] == str(tmp_path / "d.png")


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


def test_bad_input_stops_with_one_line_naming_the_file_and_writes_nothing(
    models, digit_sets, tmp_path, capsys, monkeypatch
):
    _, (images, _) = digit_sets
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), images[0])
    out = tmp_path / "out"
    circle = models / "models" / "circlenet.pt"
    junk = tmp_path / "junk.png"
    junk.write_text("not an image")
    names_in_one_line(capsys, [circle, good, junk, "--out", out], f"{junk}: OpenCV cannot read")
    (tmp_path / "empty").mkdir()
    empty = tmp_path / "empty"
    names_in_one_line(capsys, [circle, empty, "--out", out], f"{empty}: a folder with no images")
    tiny = tmp_path / "tiny.png"
    cv2.imwrite(str(tiny), np.zeros((5, 40), np.uint8))
    names_in_one_line(capsys, [circle, tiny, "--out", out], f"{tiny}: 40x5 pixels, too small")
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((50, 40), 200, np.uint8))
    names_in_one_line(capsys, [circle, good, blank, "--out", out], f"{blank}: no digit")
    not_a_model = tmp_path / "model.pt"
    not_a_model.write_bytes(b"weights?")
    names_in_one_line(capsys, [not_a_model, good, "--out", out], f"{not_a_model}: not a checkpoint")
    names_in_one_line(capsys, [tmp_path / "no.pt", good, "--out", out], f"{tmp_path / 'no.pt'}: no")
    # The checkpoint of another model under a model's name.
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "models" / "segnet.pt").write_bytes(circle.read_bytes())
    monkeypatch.chdir(project)
    names_in_one_line(
        capsys,
        ["segnet", good, "--out", out],
        "models/segnet.pt: the checkpoint of circlenet, not of segnet",
    )
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
