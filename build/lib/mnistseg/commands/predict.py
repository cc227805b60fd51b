"""A trained model on your own images: masks, overlays, and the circle model's class and circle.

    mnistseg predict segnet digit.png --out predictions        # models/segnet.pt, one image
    mnistseg predict circlenet scans/ --out predictions        # every image of a folder
    mnistseg predict models/unet.pt grid.png --out predictions # any checkpoint file

Images are PNG, JPEG or any format OpenCV reads, of any size. For the digit models (segnet,
circlenet) each is brought to MNIST's form as MNIST was made: grey, inverted when its
background is light, cropped to the digit, scaled into 20x20 and centred by mass in 28x28 (an
image already 28x28 is taken as it is). The composites' model (unet) takes any image, padded
to sides its pooling takes. The answers are mapped back onto each image: `<name>_mask.png`
(white: the digit, or the circle), `<name>_overlay.png`, and `predictions.json` with each
image's foreground share and, for the circle model, its class, the class's probability and
the circle (centre, radius) in the image's pixels. The folder is written whole or not at all.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from mnistseg.cli import sub_command
from mnistseg.data.mnist_form import MIN_SIDE, eight_bit, grey, white_on_black
from mnistseg.errors import InputError
from mnistseg.fileio import staged_dir
from mnistseg.nets.models import MODELS
from mnistseg.pictures import encode_png, overlay
from mnistseg.video.frames import IMAGE_SUFFIXES

MODELS_FOLDER = Path("models")  # where `dvc repro` writes the checkpoints (dvc.yaml)
CIRCLE_COLOUR = (0, 200, 0)  # BGR


def image_files(paths: list[Path]) -> list[Path]:
    """The images named, and those in the folders named, in order; what is missing or a folder
    without images is an InputError naming it."""
    found = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            if not inside:
                raise InputError(f"{path}: a folder with no images ({', '.join(IMAGE_SUFFIXES)})")
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return found


def read_picture(path: Path) -> np.ndarray:
    """An image file as OpenCV reads it, alpha and 16 bits kept; an unreadable or too small
    one is an InputError naming it."""
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise InputError(f"{path}: OpenCV cannot read it as an image")
    if min(image.shape[:2]) < MIN_SIDE:
        height, width = image.shape[:2]
        raise InputError(
            f"{path}: {width}x{height} pixels, too small to hold a digit "
            f"(at least {MIN_SIDE}x{MIN_SIDE})"
        )
    return image


def as_bgr(image: np.ndarray) -> np.ndarray:
    """An image as read (grey, BGR, BGRA; 8 or 16 bits) as 8-bit BGR, to draw on."""
    image = eight_bit(image)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR) if image.shape[2] == 4 else image


def output_names(paths: list[Path]) -> list[str]:
    """A name for each image's outputs: its file name's stem, numbered if taken already."""
    names: list[str] = []
    for path in paths:
        name, number = path.stem, 1
        while name in names:
            number += 1
            name = f"{path.stem}-{number}"
        names.append(name)
    return names


def checkpoint_path(model: str) -> Path:
    """A model's name is its checkpoint under models/; anything else is a checkpoint's path."""
    return MODELS_FOLDER / f"{model}.pt" if model in MODELS else Path(model)


def add_command(commands: argparse._SubParsersAction) -> None:  # pragma: no mutate block
    summary = "a trained model on your own images: masks, classes, circles"
    args = sub_command(commands, "predict", __doc__, summary)
    args.set_defaults(run=run)
    args.add_argument("model", help="segnet, circlenet, unet (models/<name>.pt), or a .pt file")
    args.add_argument("images", type=Path, nargs="+", help="image files, or folders of them")
    args.add_argument("--out", type=Path, required=True, help="folder to write (replaced)")
    args.add_argument(
        "--device", default="auto", help="auto (CUDA, then MPS, then the CPU), cpu, cuda or mps"
    )


def run(opts: argparse.Namespace) -> None:
    from mnistseg.nets.device import DEVICES, placement, select_device
    from mnistseg.nets.inference import load_model
    from mnistseg.nets.own_pictures import answer, framed

    if opts.device not in DEVICES:
        raise InputError(f"--device: one of {', '.join(DEVICES)}, not {opts.device!r}")
    path = checkpoint_path(opts.model)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint (run `dvc repro` to train it)")
    files = image_files(opts.images)
    images = [read_picture(file) for file in files]
    place = placement(select_device(opts.device, "--device"))
    network, model = load_model(path, place)
    if opts.model in MODELS and model.name != opts.model:
        raise InputError(f"{path}: the checkpoint of {model.name}, not of {opts.model}")
    pictures = []
    for file, image in zip(files, images):
        try:
            pictures.append(framed(model, white_on_black(grey(image))[0]))
        except ValueError as exc:
            raise InputError(f"{file}: {exc}") from None
    answers = answer(network, model, pictures, place)
    records = []
    with staged_dir(opts.out) as tmp:
        for name, file, image, found in zip(output_names(files), files, images, answers):
            mask = np.where(found.mask, np.uint8(255), np.uint8(0))
            drawn = overlay(as_bgr(image), found.mask, (0, 0, 255))
            record = {"image": str(file), "mask": f"{name}_mask.png",
                      "overlay": f"{name}_overlay.png",
                      "foreground": float(found.mask.mean())}  # fmt: skip
            if found.label is not None:
                record |= {"class": found.label, "probability": found.probability}
                record["circle"] = None
                if found.circle is not None:
                    x, y, radius = found.circle
                    record["circle"] = {"x": x, "y": y, "radius": radius}
                    centre = (round(x), round(y))
                    cv2.circle(drawn, centre, round(radius), CIRCLE_COLOUR, thickness=1)
            (tmp / record["mask"]).write_bytes(encode_png(mask))
            (tmp / record["overlay"]).write_bytes(encode_png(drawn))
            records.append(record)
        (tmp / "predictions.json").write_text(json.dumps(records, indent=1) + "\n")
    for record in records:
        said = ", ".join(f"{k} {record[k]:.4g}" for k in ("class", "probability") if k in record)
        print(f"{record['image']}: {said or 'mask'} -> {opts.out / record['mask']}")
