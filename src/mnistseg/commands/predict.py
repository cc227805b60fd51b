"""A trained model on your own pictures: masks, overlays, and the circle model's class and circle.

    mnistseg predict circlenet photos/ --out answers        # every picture of a folder
    mnistseg predict segnet digit.png --out answers         # models/segnet.pt, one picture
    mnistseg predict models/unet.pt grid.png --out answers  # any checkpoint file

A model's name finds the checkpoint `dvc repro` trained (dvc.yaml's artifacts) in the project
that holds the current folder, as git and DVC find theirs. Pictures are PNG, JPEG or any
format OpenCV reads, of any size, either polarity, turned upright as their EXIF says. For the
digit models (segnet, circlenet) each is brought to MNIST's form as MNIST was made: the ink
against the paper, the paper's lines and specks left out, the stroke re-drawn at MNIST's
width, scaled into 20x20 and centred by mass (docs/predict.md); a picture with nothing
digit-like on it (bare or squared paper, a smudge) has no digit. The composites' model (unet)
takes any picture, padded to sides its pooling takes. The answers are mapped back onto each
picture, masks cut to its own ink: `<name>_mask.png` (white: the digit, or the circle),
`<name>_overlay.png`, and `predictions.json`, one record per picture in the order given: its
mask's share of the picture and for the circle model its class, the class's probability,
whether the answer is unsure (a probability under 0.95) and the circle (centre, radius) in the
picture's pixels; or, for a picture with no answer (unreadable, no digit), the reason.

The folder is made when missing and nothing else in it is touched: files of the names above
that are there already stop it before any work, unless --overwrite (which replaces those and
only those). It cannot be an input folder or inside one. Each picture's line is printed; when
some had no answer, a last line counts them and the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import yaml

from mnistseg.data.mnist_form import MIN_SIDE, eight_bit, grey
from mnistseg.entry_points import sub_command
from mnistseg.errors import InputError
from mnistseg.fileio import files_into, refuse_existing
from mnistseg.nets.models import MODELS
from mnistseg.pictures import encode_png, overlay
from mnistseg.video.frames import IMAGE_SUFFIXES

MASK_COLOUR = (0, 0, 255)  # BGR: the mask's tint on the overlay
CIRCLE_COLOUR = (0, 200, 0)  # BGR
OUTLINE_PIXELS = 320  # the circle's outline is 1 pixel wide per this many of the longer side
# A class whose probability is under this is marked unsure: on 315 real pictures it flags 9
# of the 10 wrong answers and 26 of the 305 right ones (docs/predict.md).
UNSURE_BELOW = 0.95
CHUNK = 64  # pictures read, answered and written at a time: memory stays that of a chunk


def project_root(start: Path) -> Path | None:
    """The DVC project holding `start`: the nearest folder upward with a `.dvc` folder."""
    return next((folder for folder in (start, *start.parents) if (folder / ".dvc").is_dir()), None)


def checkpoint_of(model: str) -> tuple[Path, str | None]:
    """The checkpoint that `model` names, and the model's name when it is one (else a path)."""
    if model not in MODELS:
        if Path(model).is_file():
            return Path(model), None
        raise InputError(f"{model}: neither a model ({', '.join(MODELS)}) nor a checkpoint file")
    root = project_root(Path.cwd())
    if root is None:
        raise InputError(
            f"{model}: no DVC project in {Path.cwd()} or above it, where `dvc repro` trains "
            "it: run this inside the project, or give the checkpoint's path"
        )
    artifacts = (yaml.safe_load((root / "dvc.yaml").read_text()) or {}).get("artifacts", {})
    path = root / artifacts.get(model, {}).get("path", f"models/{model}.pt")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint (run `dvc repro` in {root})")
    return path, model


def image_files(paths: list[Path]) -> list[Path]:
    """The pictures named, and those in the folders named, in order; what is missing or a
    folder without pictures is an error naming it."""
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


def check_out(out: Path, inputs: list[Path]) -> None:
    """`--out` may not be an input folder or inside one: its pictures would be read next time."""
    for folder in (path for path in inputs if path.is_dir()):
        if out.resolve().is_relative_to(folder.resolve()):
            raise InputError(f"--out {out}: inside the input folder {folder}; choose another")


def output_names(paths: list[Path]) -> list[str]:
    """A name for each picture's outputs: its file name's stem, numbered if taken already."""
    names: list[str] = []
    for path in paths:
        name, number = path.stem, 1
        while name in names:
            number += 1
            name = f"{path.stem}-{number}"
        names.append(name)
    return names


def read_picture(path: Path) -> np.ndarray:
    """A picture as OpenCV reads it, upright as its EXIF says, alpha and 16 bits kept; an
    unreadable or too small one is an InputError (its message the reason)."""
    data = np.fromfile(path, np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)  # keeps alpha, ignores EXIF orientation
    if image is None:
        raise InputError("OpenCV cannot read it as an image")
    if image.ndim == 2 or image.shape[2] == 3:  # no alpha to keep: turned as EXIF says
        image = cv2.imdecode(data, cv2.IMREAD_ANYDEPTH | cv2.IMREAD_ANYCOLOR)
    if min(image.shape[:2]) < MIN_SIDE:
        height, width = image.shape[:2]
        raise InputError(
            f"{width}x{height} pixels, too small to hold a digit (at least {MIN_SIDE}x{MIN_SIDE})"
        )
    return image


def as_bgr(image: np.ndarray) -> np.ndarray:
    """A picture as read (grey, BGR, BGRA; 8 or 16 bits) as 8-bit BGR, to draw on."""
    image = eight_bit(image)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR) if image.shape[2] == 4 else image


@dataclass(frozen=True)
class Outcome:
    """One picture's record for predictions.json and its line for the terminal."""

    record: dict
    line: str


def drawn(image: np.ndarray, found) -> np.ndarray:
    """The picture with the answer on it: the mask tinted, the circle outlined at a width a
    person sees at any size."""
    picture = overlay(as_bgr(image), found.mask, MASK_COLOUR)
    if found.circle is not None:
        x, y, radius = found.circle
        width = max(1, round(max(picture.shape[:2]) / OUTLINE_PIXELS))
        cv2.circle(picture, (round(x), round(y)), round(radius), CIRCLE_COLOUR, width, cv2.LINE_AA)
    return picture


def answered(file: Path, name: str, image: np.ndarray, found, out: Path, tmp: Path) -> Outcome:
    """Write one picture's mask and overlay into `tmp`; its record and line."""
    record = {"image": str(file), "mask": f"{name}_mask.png", "overlay": f"{name}_overlay.png",
              "foreground": float(found.mask.mean())}  # fmt: skip
    said = "mask"
    if found.label is not None:
        unsure = found.probability < UNSURE_BELOW
        record |= {"class": found.label, "probability": found.probability, "unsure": unsure}
        circle = found.circle
        record["circle"] = None if circle is None else dict(zip(("x", "y", "radius"), circle))
        said = f"class {found.label}, probability {found.probability:.4g}"
        said += " (unsure)" if unsure else ""
    (tmp / record["mask"]).write_bytes(encode_png(np.where(found.mask, 255, 0).astype(np.uint8)))
    (tmp / record["overlay"]).write_bytes(encode_png(drawn(image, found)))
    return Outcome(record, f"{file}: {said} -> {out / record['mask']}")


def refused(file: Path, reason: str) -> Outcome:
    """A picture with no answer: its record and line say why."""
    return Outcome({"image": str(file), "error": reason}, f"{file}: no answer: {reason}")


def add_command(commands: argparse._SubParsersAction) -> None:  # pragma: no mutate block
    summary = "a trained model on your own pictures: masks, classes, circles"
    args = sub_command(commands, "predict", __doc__, summary)
    args.set_defaults(run=run)
    args.add_argument("model", help="segnet, circlenet, unet (as trained here), or a .pt file")
    args.add_argument("images", type=Path, nargs="+", help="pictures, or folders of them")
    args.add_argument("--out", type=Path, required=True, help="folder to write into")
    args.add_argument("--overwrite", action="store_true", help="replace its files already there")
    args.add_argument(
        "--device", default="auto", help="auto (CUDA, then MPS, then the CPU), cpu, cuda or mps"
    )


def run(opts: argparse.Namespace) -> int:
    from mnistseg.nets.device import DEVICES, placement, select_device
    from mnistseg.nets.inference import load_model

    if opts.device not in DEVICES:
        raise InputError(f"--device: one of {', '.join(DEVICES)}, not {opts.device!r}")
    path, named = checkpoint_of(opts.model)
    files = image_files(opts.images)
    check_out(opts.out, opts.images)
    names = output_names(files)
    written = [f"{name}_{kind}.png" for name in names for kind in ("mask", "overlay")]
    refuse_existing(opts.out, [*written, "predictions.json"], opts.overwrite)
    place = placement(select_device(opts.device, "--device"))
    network, model = load_model(path, place)
    if named is not None and model.name != named:
        raise InputError(f"{path}: the checkpoint of {model.name}, not of {named}")

    outcomes: list[Outcome] = []
    with files_into(opts.out, opts.overwrite) as tmp:
        for start in range(0, len(files), CHUNK):
            chunk = list(zip(files, names))[start : start + CHUNK]
            for outcome in chunk_outcomes(chunk, network, model, place, opts.out, tmp):
                print(outcome.line, flush=True)
                outcomes.append(outcome)
        records = [outcome.record for outcome in outcomes]
        (tmp / "predictions.json").write_text(json.dumps(records, indent=1) + "\n")
    failed = sum("error" in record for record in records)
    if failed:
        print(f"{failed} of {len(records)} pictures had no answer", file=sys.stderr)
    return 1 if failed else 0


def chunk_outcomes(chunk: list[tuple[Path, str]], network, model, place, out: Path, tmp: Path):
    """Each picture of `chunk` ((file, output name) pairs) read, framed and answered
    together, its outputs written into `tmp`: the outcomes, in order."""
    from mnistseg.nets.own_pictures import answer, framed

    pictures, reasons = {}, {}
    for i, (file, _) in enumerate(chunk):
        try:
            image = read_picture(file)
            pictures[i] = (image, framed(model, grey(image)))
        except ValueError as exc:  # an InputError, or no digit in it
            reasons[i] = str(exc)
    frames = [frame for _, frame in pictures.values()]
    found = dict(zip(pictures, answer(network, model, frames, place))) if frames else {}
    return [
        answered(file, name, pictures[i][0], found[i], out, tmp)
        if i in found
        else refused(file, reasons[i])
        for i, (file, name) in enumerate(chunk)
    ]
