"""Which vote: each method's masks of CDnet sequences made once, then votes of them scored.

    python benchmarks/vote_search.py --cache ../masks \\
        --sequences pedestrians=../shared/cdnet/pedestrians canoe=../shared/cdnet-more/canoe \\
        --votes subsense subsense+pawcs+knn:2 subsense+pawcs+lobster:2 --max-side 0 240 \\
        --set video.cleanup.open_kernel=0

Each member of a vote runs in a process of its own and is seeded when it is built, so its masks
are the method's masks alone: the vote of saved masks is the vote's (`video.vote` with
`shadows.remove: false`), scaled back and cleaned up (`video.cleanup`) and scored as the bench
stages score a pair (CDnet's counts pooled over the temporal ROI). A vote is written
`member+member+...:votes` (`:1` if left out); one method alone is a vote of one. A method's
masks are made once per sequence and `--max-side` and kept in --cache (packed bits of the
scored frames), so many votes cost one run of each method. The knobs are params.yaml's, with
--set key=value changes as `dvc exp run -S` makes them. Prints F-measure per sequence and vote,
and the mean over the sequences.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))
from benchmark import changed_params  # noqa: E402  (beside this file)
from mnistseg.params import validate_section  # noqa: E402
from mnistseg.video.cdnet import Counts, cdnet_metrics  # noqa: E402
from mnistseg.video.config import VideoParams  # noqa: E402
from mnistseg.video.masks import ForegroundMasker  # noqa: E402
from mnistseg.video.subtractors import make_subtractor  # noqa: E402
from mnistseg.video.truth import open_sequence  # noqa: E402
from mnistseg.video.vote import (  # noqa: E402
    MARKED,
    count_votes,
    scale_back,
    scale_down,
    scaled_size,
)


def method_masks(cache: Path, name: str, folder: Path, method: str, knobs, max_side: int):
    """(numbers, (height, width), masks): `method`'s masks of the sequence's scored frames at
    `max_side`, (T, h, w) bool, made once and kept in `cache`."""
    frames, truth = open_sequence(folder, name)
    height, width = cv2.imread(str(next(iter(frames.files.values())))).shape[:2]
    if scaled_size(width, height, max_side) == (width, height):
        max_side = 0  # the frames as they are: one set of masks
    path = cache / name / f"{method}@{max_side}.npz"
    if not path.is_file():
        subtractor = make_subtractor(method, knobs)
        numbers, packed, size = [], [], None
        for number, frame in zip(frames.numbers, frames.images):
            size = frame.shape[:2]
            marked = subtractor.apply(scale_down(frame, max_side)) > MARKED
            if number in truth.scored:
                numbers.append(number)
                packed.append(np.packbits(marked, axis=-1))
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, numbers=numbers, size=size, width=marked.shape[1], packed=packed)
        print(f"  made {path}", flush=True)
    saved = np.load(path)
    masks = np.unpackbits(saved["packed"], axis=-1, count=int(saved["width"])).astype(bool)
    return [int(n) for n in saved["numbers"]], tuple(int(s) for s in saved["size"]), masks


class Given:
    """A stand-in subtractor: the masks it is given, one per call."""

    def __init__(self) -> None:
        self.mask = None

    def apply(self, frame: np.ndarray) -> np.ndarray:
        return self.mask


def vote_f_measure(cache, name, folder, members, votes, max_side, video) -> float:
    """CDnet's F-measure of a vote of `members` on one sequence."""
    runs = [method_masks(cache, name, folder, m, getattr(video, m), max_side) for m in members]
    numbers, (height, width), _ = runs[0]
    _, truth = open_sequence(folder, name)
    cleaning = ForegroundMasker("mog2", video.mog2, video.cleanup)
    cleaning.subtractor = Given()
    counts = Counts()
    for t, number in enumerate(numbers):
        marks = [np.where(masks[t], 255, 0).astype(np.uint8) for _, _, masks in runs]
        cleaning.subtractor.mask = scale_back(count_votes(marks, votes), width, height)
        mask = cleaning(None)
        counts += Counts.of(mask, truth.mask(number, mask.shape))
    return cdnet_metrics(counts)["f_measure"]


def main() -> None:
    args = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    args.add_argument("--cache", type=Path, required=True, help="folder for the methods' masks")
    args.add_argument("--sequences", nargs="+", required=True, metavar="NAME=FOLDER")
    args.add_argument("--votes", nargs="+", required=True, metavar="A+B+C:VOTES")
    args.add_argument("--max-side", nargs="+", type=int, default=[0])
    args.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    opts = args.parse_args()
    video = validate_section(VideoParams, changed_params(opts.set)["video"], "video", "--set")
    sequences = dict(item.split("=", 1) for item in opts.sequences)
    print("| vote | max_side | " + " | ".join(sequences) + " | mean |")
    print("| --- | --- |" + " --- |" * (len(sequences) + 1))
    rows = {}
    for max_side in opts.max_side:
        for spec in opts.votes:
            members, _, votes = spec.partition(":")
            scores = [
                vote_f_measure(opts.cache, name, Path(folder), members.split("+"),
                               int(votes or 1), max_side, video)
                for name, folder in sequences.items()
            ]  # fmt: skip
            rows[spec, max_side] = scores
            cells = " | ".join(f"{f:.4f}" for f in scores)
            print(f"| {spec} | {max_side} | {cells} | {statistics.mean(scores):.4f} |", flush=True)
    print(json.dumps({f"{spec}@{side}": s for (spec, side), s in rows.items()}))


if __name__ == "__main__":
    main()
