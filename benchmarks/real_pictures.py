"""Real pictures of handwritten digits through what `mnistseg predict` does with them.

    git archive 826755a src | tar -x -C /tmp/before    # the code before the preparation
    PYTHONPATH=/tmp/before/src python benchmarks/real_pictures.py answer --out before.json
    PYTHONPATH=src python benchmarks/real_pictures.py answer --out after.json
    python benchmarks/real_pictures.py report before.json after.json

`answer` runs the default models (models/circlenet.pt, segnet.pt) on every picture of the real
set (a folder with `manifest.csv`: ../shared/realdigits), on the bare corners of its photos,
and on MNIST's first MNIST_COUNT test digits written as PNG files and read back, with the
`mnistseg` package PYTHONPATH finds (this tree's or an older one's), and saves a record a
picture (no picture). `report` prints Markdown tables of saved records, side by side.
`--half choose` answers only that half of the sources (no MNIST), for choosing rules.

What is measured, a picture at a time:
- circlenet's class against the label of the file's name; a refused picture (the preparation
  says "no digit") counts as not right;
- segnet's mask on the picture against the digit's reference ink: `coverage` is the share of
  the ink the mask covers, `on ink` the share of the mask that is on ink (over the pictures
  answered);
- bare paper: each corner of a photo, a third of its sides, clear of the digit's box: refused
  or not (squared and ruled paper, shading, specks, the photo's edge, as they come);
- unsure signals: how well circlenet's softmax probability, its margin, and its mean and
  agreement over the frame moved a pixel each way (SHIFTS) tell its wrong answers from its
  right ones (AUROC), and what the probability under THRESHOLDS flags.

The reference ink is this script's own and shares no code with the preparation, so that a mask
cut to the preparation's ink is not scored against itself. It is the plainest ink map a reader
would accept: the grey picture (OpenCV's luma); its background, a median over a window a third
of its short side (no stroke fills it); the ink the side away from the background (dark when
the extreme darkest pixels are further from the median than the lightest); each pixel's
contrast to the background. Two references:
- `core`: contrast at least half its peak (the 99.99th percentile): a stroke's width at half
  its contrast, as a line's width is measured, without its blurred rim;
- `otsu`: Otsu's threshold of the contrast inside the core's box (grown by BOX_MARGIN), within
  one stroke width of the core: the stroke with its rim. A line of the paper that crosses the
  digit is in both where it is near the strokes: no reference is told where the lines are.
The preparation's ink is estimated differently (an opening, not a median; its lines and specks
left out), so neither reference is its own.

A stroke is `thin` when its width (twice the mean distance to the background along the `otsu`
reference's skeleton), scaled as the digit is into MNIST's 20-pixel box, is under THIN_IN_BOX
pixels: MNIST's own strokes are 2.3 wide there (median; 5th percentile 1.5).

Pictures are read as a viewer shows them: EXIF orientation applied (cv2.imread does, except
with IMREAD_UNCHANGED, which `mnistseg predict` uses to keep transparency: an image without
alpha is read again) and transparency kept. The sources are split in two halves by a hash of
their repository (`half`): the rules were chosen on the `choose` half; `confirm` was held out.
Nothing here asserts; the figures go to docs/predict.md.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import tempfile
import zlib
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

REAL_SET = Path("../shared/realdigits")
MNIST_TEST = Path("../shared/mnist/t10k-images-idx3-ubyte.gz")
MNIST_LABELS = Path("../shared/mnist/t10k-labels-idx1-ubyte.gz")
MODELS = Path("models")
MNIST_COUNT = 500  # first test digits, as PNG files through the same path
THIN_IN_BOX = 1.5  # pixels of MNIST's 20-pixel box: a stroke under it is thin
BACKGROUND_WINDOW = 1 / 3  # of the short side: a median window no stroke fills
SMALL_SIDE = 96  # pixels: the background is estimated on the picture shrunk to this short side
HALVES = ("choose", "confirm")
SHIFTS = ((1, 0), (-1, 0), (0, 1), (0, -1))  # pixels: the frame moved, for the unsure signals
THRESHOLDS = (0.8, 0.9, 0.95, 0.99)  # of the softmax probability, for the unsure signal
EXTREME = 0.01  # percent of the pixels: the darkest and lightest, for the ink's side and peak
BOX_MARGIN = 0.1  # of the digit's side: the box Otsu looks in, around the core
DIGIT_PART = 0.05  # of the largest part's area: a smaller one is a speck, for the bare corners
CORNER_SIDE = 28  # pixels: a smaller corner of a photo is not scored as bare paper


def read_picture(path: Path) -> np.ndarray:
    """A picture as a viewer shows it: transparency and 16 bits kept, EXIF orientation applied
    (IMREAD_UNCHANGED keeps alpha but ignores EXIF: an image without alpha is read again)."""
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise OSError(f"{path}: not an image OpenCV reads")
    if image.ndim == 3 and image.shape[2] == 4:
        return image
    return cv2.imread(str(path), cv2.IMREAD_ANYCOLOR | cv2.IMREAD_ANYDEPTH)


def half(repo: str) -> str:
    """Which half of the sources a repository's pictures are in: a hash, not a choice."""
    return HALVES[zlib.crc32(repo.encode()) % 2]


def background_level(grey: np.ndarray) -> np.ndarray:
    """(H, W) float32: the paper under each pixel, a median over a window no stroke fills."""
    height, width = grey.shape
    scale = min(1.0, SMALL_SIDE / min(height, width))
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    window = int(min(small.shape) * BACKGROUND_WINDOW) | 1
    flat = cv2.medianBlur(small, max(3, window))
    return cv2.resize(flat, (width, height), interpolation=cv2.INTER_LINEAR).astype(np.float32)


def ink_contrast(grey: np.ndarray) -> np.ndarray:
    """(H, W) float32 in [0, 1]: how far each pixel is from the paper, towards the ink."""
    level = background_level(grey)
    darkest, middle, lightest = np.percentile(grey, [EXTREME, 50, 100 - EXTREME])
    values = grey.astype(np.float32)
    if middle - darkest >= lightest - middle:  # the background is the light side: dark ink
        return np.clip((level - values) / np.maximum(level, 1), 0, 1)
    return np.clip((values - level) / np.maximum(255 - level, 1), 0, 1)


def reference_inks(grey: np.ndarray) -> dict[str, np.ndarray]:
    """The two reference ink maps, (H, W) bool: `core` and `otsu`."""
    contrast = ink_contrast(grey)
    peak = np.percentile(contrast, 100 - EXTREME)
    core = contrast >= peak / 2
    if peak == 0:
        return {"core": core & False, "otsu": core & False}
    x, y, width, height = cv2.boundingRect(core.astype(np.uint8))
    margin = round(BOX_MARGIN * max(width, height))
    box = np.zeros_like(core)
    box[max(0, y - margin) : y + height + margin, max(0, x - margin) : x + width + margin] = True
    levels = (contrast * 255 + 0.5).astype(np.uint8)
    threshold, _ = cv2.threshold(levels[box], 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    outside = np.where(core, np.uint8(0), np.uint8(255))
    near = cv2.distanceTransform(outside, cv2.DIST_L2, 5) <= stroke_width(core)
    return {"core": core, "otsu": box & near & (levels > threshold)}


def stroke_width(ink: np.ndarray) -> float:
    """The stroke's width in pixels: twice the mean distance to the background along its
    skeleton."""
    if not ink.any():
        return float("nan")
    binary = ink.astype(np.uint8) * 255
    skeleton = cv2.ximgproc.thinning(binary) > 0
    return float(2 * cv2.distanceTransform(binary, cv2.DIST_L2, 5)[skeleton].mean())


def stroke_width_in_box(ink: np.ndarray) -> float:
    """The stroke's width as it is once the digit is scaled into MNIST's 20-pixel box."""
    if not ink.any():
        return float("nan")
    _, _, width, height = cv2.boundingRect(ink.astype(np.uint8))
    return stroke_width(ink) * 20 / max(width, height)


def overlap(mask: np.ndarray, ink: np.ndarray) -> tuple[float, float]:
    """(coverage, on ink): the share of the ink under the mask, of the mask on the ink."""
    both = float((mask & ink).sum())
    return both / max(1, ink.sum()), both / max(1, mask.sum())


class Models:
    """The default digit models, and how this version of the package prepares a picture."""

    def __init__(self, folder: Path) -> None:
        import torch

        from mnistseg.data import mnist_form
        from mnistseg.nets.device import placement

        try:  # this version: inference apart from training
            from mnistseg.nets.inference import load_model
        except ImportError:  # 826755a, the code before
            from mnistseg.nets.predict import load_model

        self.place = placement(torch.device("cpu"))
        self.segnet = load_model(folder / "segnet.pt", self.place)
        self.circlenet = load_model(folder / "circlenet.pt", self.place)
        self.form = mnist_form
        # Before the preparation took any picture as read, `predict` made it white on black.
        self.takes_grey = hasattr(mnist_form, "digit_form")

    def picture(self, image: np.ndarray) -> np.ndarray:
        grey = self.form.grey(image)
        return grey if self.takes_grey else self.form.white_on_black(grey)[0]

    def class_probabilities(self, image: np.ndarray) -> list | None:
        """(1 + len(SHIFTS), 10): circlenet's softmax on the frames of this version's
        preparation (their mean, where it draws the digit at several stroke widths), then on
        them shifted by SHIFTS; None before `digit_form`, or if refused."""
        import torch

        if not self.takes_grey:
            return None
        picture = self.picture(image)
        forms = getattr(self.form, "digit_forms", None)  # before the widths: one frame
        try:
            frames = forms(picture)[0] if forms else self.form.digit_form(picture)[0][None]
        except ValueError:
            return None
        moved = [frames] + [[shifted(f, dx, dy) for f in frames] for dx, dy in SHIFTS]
        model, _ = self.circlenet
        with torch.no_grad():
            batch = torch.from_numpy(np.stack([f for group in moved for f in group]))
            softmax = model(batch.float().div(255)[:, None])[0].softmax(1).numpy()
        means = softmax.reshape(len(moved), len(frames), -1).mean(axis=1)
        return np.round(means, 6).tolist()

    def answers(self, image: np.ndarray, name: str):
        """(circlenet's answer, segnet's answer), or the refusal's message."""
        picture = self.picture(image)
        try:
            return self.answer(self.circlenet, picture, name), self.answer(
                self.segnet, picture, name
            )
        except ValueError as exc:
            return str(exc)

    def answer(self, loaded, picture: np.ndarray, name: str):
        """One model's answer about one picture, through this version's code."""
        try:
            from mnistseg.nets.own_pictures import answer, framed
        except ImportError:  # 826755a: answers took the pictures and their names
            from mnistseg.nets.answers import answer

            return answer(*loaded, [picture], self.place, [name])[0]
        network, model = loaded
        return answer(network, model, [framed(model, picture)], self.place)[0]


def shifted(frame: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """A frame moved by (dx, dy) pixels, black coming in."""
    return cv2.warpAffine(frame, np.float32([[1, 0, dx], [0, 1, dy]]), frame.shape[::-1])


def bare_corners(image: np.ndarray, core: np.ndarray) -> list[np.ndarray]:
    """The corners of a photo, a third of each side, clear of the digit's box (that of its
    reference core's parts of DIGIT_PART of the largest's area or more, grown by BOX_MARGIN)
    and at least CORNER_SIDE pixels: bare paper, maybe specks or lines."""
    height, width = core.shape
    _, labels, stats, _ = cv2.connectedComponentsWithStats(core.astype(np.uint8), connectivity=8)
    area = stats[1:, cv2.CC_STAT_AREA]
    parts = np.concatenate([[False], area >= DIGIT_PART * area.max()])[labels]
    x, y, w, h = cv2.boundingRect(parts.astype(np.uint8))
    margin = BOX_MARGIN * max(w, h)
    left, top, right, bottom = x - margin, y - margin, x + w + margin, y + h + margin
    rows, cols = height // 3, width // 3
    if min(rows, cols) < CORNER_SIDE:
        return []
    corners = []
    for y0 in (0, height - rows):
        for x0 in (0, width - cols):
            clear = x0 + cols <= left or x0 >= right or y0 + rows <= top or y0 >= bottom
            if clear:
                corners.append(image[y0 : y0 + rows, x0 : x0 + cols])
    return corners


def real_records(
    models: Models, folder: Path, only: str | None = None
) -> tuple[list[dict], list[dict]]:
    """One record a picture of the real set, what was answered and how it scores; and one a
    bare corner of its photos, whether it was refused."""
    from mnistseg.data.mnist_form import grey

    records, corners = [], []
    with open(folder / "manifest.csv", newline="") as manifest:
        rows = list(csv.DictReader(manifest))
    for row in rows:
        if only and half(row["repo"]) != only:
            continue
        image = read_picture(folder / row["file"])
        record = {k: row[k] for k in ("file", "source", "kind", "repo")}
        record |= {"label": int(row["label"]), "half": half(row["repo"])}
        inks = reference_inks(grey(image))
        record["width_in_box"] = stroke_width_in_box(inks["otsu"])
        if row["kind"] != "canvas":
            for corner in bare_corners(image, inks["core"]):
                found = models.answers(corner, row["file"])
                corners.append(
                    {k: record[k] for k in ("file", "source", "kind", "half")}
                    | {"refused": found if isinstance(found, str) else None}
                )
        found = models.answers(image, row["file"])
        if isinstance(found, str):
            records.append(record | {"refused": found})
            continue
        circle, segment = found
        record |= {"class": circle.label, "probability": circle.probability}
        record["probabilities"] = models.class_probabilities(image)
        for name, ink in inks.items():
            record[f"coverage_{name}"], record[f"on_ink_{name}"] = overlap(segment.mask, ink)
        records.append(record)
    return records, corners


def read_idx(path: Path) -> np.ndarray:
    raw = gzip.decompress(path.read_bytes())
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def mnist_records(models: Models, images: Path, labels: Path, count: int) -> list[dict]:
    """MNIST's first test digits, written as PNG files and read back: class and refusal."""
    digits, classes = read_idx(images)[:count], read_idx(labels)[:count]
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (digit, label) in enumerate(zip(digits, classes)):
            path = Path(tmp) / f"{i}.png"
            cv2.imwrite(str(path), digit)
            found = models.answers(read_picture(path), path.name)
            record = {"index": i, "label": int(label)}
            if isinstance(found, str):
                record["refused"] = found
            else:
                record |= {"class": found[0].label, "probability": found[0].probability}
                record["probabilities"] = models.class_probabilities(read_picture(path))
            records.append(record)
    return records


def mean(values) -> float:
    values = [v for v in values if v == v]
    return float(np.mean(values)) if values else float("nan")


def summary(records: list[dict]) -> dict[str, float]:
    """Accuracy (refused count as wrong), refused, and mean coverage and on-ink share (over
    the pictures answered; thin strokes apart)."""
    answered = [r for r in records if "refused" not in r]
    thin = [r for r in answered if r["width_in_box"] < THIN_IN_BOX]
    row = {
        "n": len(records),
        "right": sum(r.get("class") == r["label"] for r in records),
        "refused": len(records) - len(answered),
        "thin": len(thin),
    }
    for name in ("otsu", "core"):
        row[f"coverage_{name}"] = mean(r[f"coverage_{name}"] for r in answered)
        row[f"on_ink_{name}"] = mean(r[f"on_ink_{name}"] for r in answered)
        row[f"thin_coverage_{name}"] = mean(r[f"coverage_{name}"] for r in thin)
        row[f"thin_on_ink_{name}"] = mean(r[f"on_ink_{name}"] for r in thin)
    return row


def percent(value: float) -> str:
    return "-" if value != value else f"{100 * value:.0f}%"


def table(groups: dict[str, list[dict]], versions: list[str], reference: str) -> str:
    """A Markdown table, a row a group, each version's figures side by side."""
    head = ["group", "n"]
    for version in versions:
        head += [f"{version}: right", "refused", "coverage", "on ink", "thin: cov.", "on ink"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for group, by_version in groups.items():
        cells = [group, str(by_version[0]["n"])]
        for row in by_version:
            cells += [
                f"{row['right']} ({100 * row['right'] / row['n']:.1f}%)",
                str(row["refused"]),
                percent(row[f"coverage_{reference}"]),
                percent(row[f"on_ink_{reference}"]),
                f"{percent(row[f'thin_coverage_{reference}'])} ({row['thin']})",
                percent(row[f"thin_on_ink_{reference}"]),
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(saved: list[Path], reference: str) -> None:
    versions = [json.loads(path.read_text()) for path in saved]
    names = [path.stem for path in saved]
    common = set.intersection(*({r["file"] for r in v["real"]} for v in versions))
    for grouping in ("kind", "half", "source"):
        groups: dict[str, list[list[dict]]] = defaultdict(lambda: [[] for _ in versions])
        for v, version in enumerate(versions):
            for record in (r for r in version["real"] if r["file"] in common):
                groups[record[grouping]][v].append(record)
                groups["all"][v].append(record)
        rows = {g: [summary(rs) for rs in by_version] for g, by_version in sorted(groups.items())}
        print(f"\n### Per {grouping} (reference ink: {reference})\n")
        print(table(rows, names, reference))
    print("\n### Bare paper: corners of the photos clear of the digit\n")
    print("| half | " + " | ".join(f"{n}: refused" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    for group in (*HALVES, "all"):
        cells = []
        for version in versions:
            rows = [r for r in version.get("corners", []) if group in ("all", r["half"])]
            refused = sum(r["refused"] is not None for r in rows)
            cells.append(f"{refused}/{len(rows)}")
        print(f"| {group} | " + " | ".join(cells) + " |")
    unsure_tables(versions[-1], names[-1])
    print("\n### MNIST test digits as PNG files\n")
    for name, version in zip(names, versions):
        mnist = version["mnist"]
        right = sum(r.get("class") == r["label"] for r in mnist)
        refused = sum("refused" in r for r in mnist)
        print(f"- {name}: {right}/{len(mnist)} right, {refused} refused")


def unsure_signals(probabilities: list) -> dict[str, tuple[int, float]]:
    """Each signal's (class, score) from circlenet's softmax on a frame and its shifts: a low
    score says unsure."""
    base, every = np.array(probabilities[0]), np.array(probabilities)
    top, second = np.sort(base)[-1], np.sort(base)[-2]
    mean = every.mean(axis=0)
    label = int(mean.argmax())
    agreeing = float((every.argmax(axis=1) == label).mean())
    return {
        "probability": (int(base.argmax()), float(top)),
        "margin": (int(base.argmax()), float(top - second)),
        "mean over shifts": (label, float(mean.max())),
        "agreement over shifts": (label, agreeing + float(mean.max()) / 1000),  # ties: by mean
    }


def auroc(wrong: np.ndarray, right: np.ndarray) -> float:
    """The chance that a wrong answer scores below a right one (ties count half)."""
    if not len(wrong) or not len(right):
        return float("nan")
    below = (wrong[:, None] < right[None, :]).mean() + (wrong[:, None] == right[None, :]).mean() / 2
    return float(below)


def unsure_tables(version: dict, name: str) -> None:
    """How well each unsure signal tells wrong answers from right ones, per half and on MNIST;
    and the softmax probability's flags at THRESHOLDS."""
    pools = {half_: [r for r in version["real"] if r.get("half") == half_] for half_ in HALVES}
    pools["MNIST"] = version["mnist"]
    print(f"\n### Unsure signals ({name}): AUROC, wrong answers scoring below right ones\n")
    signals = list(unsure_signals([[1.0] * 10]))
    print("| pool | answered | right | " + " | ".join(signals) + " |")
    print("|---|---|---|" + "---|" * len(signals))
    flags = {}
    for pool, records in pools.items():
        scored = [r for r in records if r.get("probabilities")]
        if not scored:
            continue
        cells = []
        for signal in signals:
            found = [unsure_signals(r["probabilities"])[signal] for r in scored]
            right = np.array([label == r["label"] for (label, _), r in zip(found, scored)])
            score = np.array([value for _, value in found])
            cells.append(f"{auroc(score[~right], score[right]):.3f} ({right.sum()} right)")
            if signal == "probability":
                flags[pool] = (score, right)
        base_right = sum(r["class"] == r["label"] for r in scored)
        print(f"| {pool} | {len(scored)} | {base_right} | " + " | ".join(cells) + " |")
    print("\nThe softmax probability under a threshold flags (wrong flagged / right flagged):\n")
    print("| pool | " + " | ".join(f"< {t}" for t in THRESHOLDS) + " |")
    print("|---|" + "---|" * len(THRESHOLDS))
    for pool, (score, right) in flags.items():
        cells = [
            f"{(score[~right] < t).sum()}/{(~right).sum()} wrong, {(score[right] < t).sum()} right"
            for t in THRESHOLDS
        ]
        print(f"| {pool} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("answer", help="answer every picture; save the records")
    run.add_argument("--out", type=Path, required=True)
    run.add_argument("--pictures", type=Path, default=REAL_SET)
    run.add_argument("--models", type=Path, default=MODELS)
    run.add_argument("--mnist", type=Path, default=MNIST_TEST.parent)
    run.add_argument("--half", choices=HALVES, help="only this half of the sources, no MNIST")
    show = commands.add_parser("report", help="Markdown tables of saved records")
    show.add_argument("saved", type=Path, nargs="+")
    show.add_argument("--reference", choices=("otsu", "core"), default="otsu")
    opts = parser.parse_args()
    if opts.command == "report":
        report(opts.saved, opts.reference)
        return
    models = Models(opts.models)
    real, corners = real_records(models, opts.pictures, opts.half)
    records = {
        "real": real,
        "corners": corners,
        "mnist": []
        if opts.half
        else mnist_records(
            models,
            opts.mnist / MNIST_TEST.name,
            opts.mnist / MNIST_LABELS.name,
            MNIST_COUNT,
        ),
    }
    opts.out.write_text(json.dumps(records, indent=0) + "\n")


if __name__ == "__main__":
    main()
