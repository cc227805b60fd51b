"""Rebuild the real set: 315 pictures of handwritten digits from 28 sources on GitHub.

    python benchmarks/real_set.py OUT                       # from GitHub
    python benchmarks/real_set.py OUT --mirrors DIR         # from local git directories

OUT is a new folder (or an empty one); the script refuses any other. It receives the pictures,
one folder a source, byte for byte as git stores them; `manifest.csv` (`file,source,kind,repo,
label`, `file` relative to OUT), which benchmarks/real_pictures.py reads; and `README.md`, which
says where each source comes from and how its labels are read. Everything is written into a
temporary folder beside OUT and renamed into place at the end (its entries moved into OUT when
OUT is an existing empty folder), so a failed run leaves nothing.

Each source (SOURCES) is a folder of one repository at a pinned commit. Its pictures are the
files whose path under the folder matches its pattern (a regular expression whose group `label`
is the digit, or its English word), less the files it leaves out, picked by its rule. A picture
byte-identical to one already taken is dropped. A source must give exactly its count of
pictures, or the script stops before writing anything and says which source and what it found.

Where the repositories come from:
- without --mirrors, from GitHub: a bare blobless clone of each repository into a temporary
  folder (`git clone --bare --filter=blob:none`: the commits and folders of its branches and
  tags, no file contents); then its pinned commits by id (`git fetch origin <commit>...`, still
  without file contents), as a clone misses commits that only a pull request holds (three of
  mhw32's); then the chosen pictures in one `git fetch origin <blob id>...`. Needs the network
  and a git with partial clone (`clone --filter`).
- with --mirrors DIR, from git directories named `<owner>+<name>` in DIR, whose git data is in
  `repo/.git`, `repo`, `.git` or the directory itself (the first that is one).
Files are read with `git ls-tree` and `git cat-file` at the pinned commit, never checked out.

The pictures were not made by this project, and only mhw32/data-centric-deep-learning
(Apache-2.0) and 7eraflops/mnist-digit-recognition (MIT) carry a license file: the set is for
measuring on one's own machine, not for committing or sharing.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

GITHUB_URL = "https://github.com/{repo}"
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
WORD = "(?P<label>" + "|".join(DIGIT_WORDS) + ")"
MANIFEST_FIELDS = ("file", "source", "kind", "repo", "label")
NAME_SEPARATOR = "__"  # stands for `/` where a picture's name keeps part of its path
LICENSED = {
    "mhw32/data-centric-deep-learning": "Apache-2.0",
    "7eraflops/mnist-digit-recognition": "MIT",
}
ALL, FIRST_PER_LABEL, FIRST_MIDDLE_LAST = "all", "first_per_label", "first_middle_last"
PICK_RULES = {  # how a source picks among its matching files, in words for the README
    ALL: "all",
    FIRST_PER_LABEL: "the first of each label in path order",
    FIRST_MIDDLE_LAST: "the first, middle (index len // 2) and last of each label's files"
    " in the order of their `number`",
}
DIGIT_NAME_NOTE = "the digit the file is named"


@dataclass(frozen=True)
class Source:
    """One folder of pictures: where it is, how its labels are read, what is taken."""

    name: str  # the folder in OUT and the manifest's `source`
    kind: str  # photo (of paper), canvas (drawn on a screen) or paper_unknown
    count: int  # pictures it must give
    repo: str  # owner/name on GitHub
    commit: str
    folders: tuple[str, ...]  # in the repository, each ending in `/`
    pattern: str  # matches a picture's whole path under its folder
    labels: str = DIGIT_NAME_NOTE  # how labels are read, in words, for the README
    left_out: tuple[str, ...] = ()  # paths under the folder that match but are not taken
    pick: str = ALL


MHW32 = "mhw32/data-centric-deep-learning"
MHW32_FOLDER = "course/week2/testing_project/images/integration/digits-raw/"
LEATHERMAJESTY = "leathermajesty/Handwritten-Digit-Recognition"
LEATHERMAJESTY_COMMIT = "585e0275f96680bd4d7c68b4da57d0e48fd9ed46"

SOURCES = (
    Source(
        "mhw32_dcdl_example",
        "photo",
        10,
        MHW32,
        "3fe1901be905dcd64ee75ffe29951aa7c17c8dc6",
        ("course/week2/testing_project/images/integration/example/digits-raw/",),
        rf"{WORD}\.png",
        "the English word the file is named: `zero.png` ... `nine.png`",
    ),
    # The same folder at three commits holds three different sets of photos.
    Source(
        "mhw32_dcdl_jpg",
        "photo",
        10,
        MHW32,
        "87937e47f381ee8b9f67d574001d49657a12519c",
        (MHW32_FOLDER,),
        rf"{WORD}\.jpg",
        "the English word the file is named: `zero.jpg` ... `nine.jpg`",
    ),
    Source(
        "mhw32_dcdl_png",
        "photo",
        10,
        MHW32,
        "fbcb385201c69aba634b8dae52556c94e9de0b46",
        (MHW32_FOLDER,),
        rf"{WORD}\.png",
        "the English word the file is named: `zero.png` ... `nine.png`",
    ),
    Source(
        "mhw32_dcdl_ts",
        "photo",
        10,
        MHW32,
        "56ad1c895442b982caf26ab17d2a4e4e15737fc0",
        (MHW32_FOLDER,),
        r"ts_0(?P<label>\d)\.png",
        "the digit in `ts_0<d>.png`",
    ),
    # `<d>.jpg` and `<d>.png` are the same photos in two formats: one of each is enough.
    Source(
        "hikaruikebe_mnist-repo",
        "photo",
        10,
        "hikaruikebe/mnist-repo",
        "00546a0292ba49a28063feb5998f4e2c68128549",
        ("images/",),
        r"(?P<label>\d)\.(jpg|png)",
        "the digit the file is named; `<d>.jpg` and `<d>.png` are the same photo (the `.jpg`"
        " comes first)",
        pick=FIRST_PER_LABEL,
    ),
    Source(
        "sourav_rudn",
        "photo",
        10,
        "Sourav-02121996/Recognition-using-Deep-Networks",
        "d62118e1e39cfd0d53b9bfe9e2993e1afd536342",
        ("custom_digits/",),
        r"(?P<label>\d)\.JPEG",
    ),
    Source(
        "ericadgjl-huang_hr",
        "photo",
        10,
        "ericadgjl-huang/Handwriting_Recognition",
        "139ed385cebe71c862de1643f8380536638f8b93",
        ("my_digits/",),
        r"(?P<label>\d)\.jpg",
    ),
    # `imgpsh_fullsize_anim*.jpeg` and `uploaded_image.jpg` have no label in their names.
    Source(
        "isaacjm03_mlprojects",
        "photo",
        6,
        "IsaacJM03/MLProjects",
        "87ff0fc3486d45bf4a355f8b3572ef088a1ef7b5",
        ("test_images/",),
        r"(?P<label>\d)( hand)?\.(png|jpeg)",
        "the digit that starts the name: `<d> hand.png`, `<d> hand.jpeg`",
        left_out=("4.jpeg", "7.jpeg"),  # rendered artwork, not handwriting
    ),
    Source(
        "calex257_digit-reader",
        "photo",
        11,
        "calex257/digit-reader",
        "e796c51dc9b1a1e1419e3ca9cb75d6db0c353c9a",
        ("samples/",),
        r"(?P<label>\d)(\.\d)?\.(jpg|png)",
        "the digit that starts the name: `<d>.jpg`, and `8.1.jpg`, `8.2.jpg`, `9.1.png`,"
        " `9.2.jpg` (no 0)",
    ),
    Source(
        "abhighule24_dr",
        "photo",
        10,
        "Abhighule24/Digit-Recogniser-using-Neural-Network",
        "9100a380670fcee34cfa10f8dfb07412dcaab7ed",
        ("test_images/",),
        r"(?P<label>\d)\.jpg",
    ),
    # `pro-img/` under the folder holds processed copies; the pattern reads the top level only.
    Source(
        "wikunia_mlexamples",
        "photo",
        30,
        "Wikunia/mlExamples",
        "d6e66594e4835b30bb48917f4144e1f4ffe38e34",
        ("mnist/numbers/handwritten/",),
        r"(?P<label>\d)(_\d+)?\.png",
        "the digit that starts the name: `<d>.png`, `<d>_<nnn>.png`, at the top of the folder",
        left_out=("8_001.png", "8_002.png"),  # a clip-art 8 and a printed 3-D 8
    ),
    # The three `my_digits*.jpg` have no label in their names.
    Source(
        "scholich_python-overview",
        "photo",
        10,
        "scholich/python-overview",
        "a4bebeca6705acdf55da7ab9fd31c455879327cb",
        ("my_digits/",),
        r"(?P<label>\d)\.png",
    ),
    Source(
        "andreev-a_nn",
        "photo",
        4,
        "Andreev-A/Neural-networks",
        "64dd3e550ee365911d503293e553032b8858df76",
        ("digits/",),
        r"(?P<label>\d)\.jpg",
    ),
    Source(
        "parkercai_prcv5",
        "photo",
        10,
        "ParkerCai/PRCV_Project-5_Recognition-using-Deep-Networks",
        "1e3e1cee41d6cb22bf568452aec8895e9888950b",
        ("handwritten_digits/",),
        r"(?P<label>\d)\.png",
    ),
    # One folder, two kinds, chosen by looking: 1 and 6 are photos of paper, 5 and 8 drawings
    # on a plain canvas. Neither takes 0 and 3 (MNIST-style white on black), 2 (a screenshot
    # of a drawing app with buttons and a typed answer) or 7 and 9 (matplotlib plots of 28x28
    # images).
    Source(
        "leathermajesty_hdr",
        "photo",
        2,
        LEATHERMAJESTY,
        LEATHERMAJESTY_COMMIT,
        ("test_images/",),
        r"(?P<label>\d)\.png",
        "the digit the file is named; the two photos of paper",
        left_out=("0.png", "2.png", "3.png", "5.png", "7.png", "8.png", "9.png"),
    ),
    Source(
        "leathermajesty_hdr_canvas",
        "canvas",
        2,
        LEATHERMAJESTY,
        LEATHERMAJESTY_COMMIT,
        ("test_images/",),
        r"(?P<label>\d)\.png",
        "the digit the file is named; the two drawings on a plain canvas",
        left_out=("0.png", "1.png", "2.png", "3.png", "6.png", "7.png", "9.png"),
    ),
    # The folder's `1.png` ... `10.png` are the same ten digits numbered from 1 (`1.png` shows
    # a 0): their names are not labels, and the pattern does not read them.
    Source(
        "hoanglayor_hdr",
        "paper_unknown",
        10,
        "HoangLayor/Handwritten-Digit-Recognition",
        "f1911c9c5708a95e00312073c9278695cb834e24",
        ("src/test_images/",),
        r"0(?P<label>\d)\.png",
        "the digit in `0<d>.png`; the folder's `1.png` ... `10.png` show the same digits"
        " numbered from 1 and are not taken",
    ),
    Source(
        "ashishdasu_recognition-dnn",
        "paper_unknown",
        10,
        "ashishdasu/recognition-DNN",
        "ec19d79d90b0145d41292e44777068144572d7ed",
        ("handwritten_digits/",),
        r"(?P<label>\d)\.png",
    ),
    Source(
        "dfak0_mnist-training",
        "canvas",
        39,
        "dFAk0/MNIST-dataset-training",
        "70f89a72ebe0f84079f6179a0c5cb743edb2cc4b",
        ("my_digits/", "numdata/", "samed/"),
        r"(?P<label>\d)(?P=label)?\.png",
        "the digit that starts the name: `<d>.png`, `<dd>.png` (no 0 in `samed/`)",
    ),
    Source(
        "7eraflops_mnist-dr",
        "canvas",
        10,
        "7eraflops/mnist-digit-recognition",
        "61ac1d8a0e7384006372b1711de507e1175a1ab1",
        ("my_digits/",),
        r"(?P<label>\d)\.png",
    ),
    Source(
        "kaizhaolin_mnist_net",
        "canvas",
        10,
        "KaizhaoLin/mnist_net",
        "4373808ec1dabd3bf9ffe31500336c9d6acae7c7",
        ("test_images/",),
        r"(?P<label>\d)\.png",
    ),
    Source(
        "lucka07_mnist",
        "canvas",
        10,
        "lucka07/MNIST",
        "a52caef0f55d0a739ae869d3b8980a39662d214c",
        ("test_images/",),
        r"(?P<label>\d)\.png",
    ),
    Source(
        "kirill-sidorchuk_tfkeras",
        "canvas",
        10,
        "kirill-sidorchuk/tf_keras_tutorial",
        "db37d2f56e64c11c638be1c4d55d7648126a9363",
        ("test_images/",),
        r"(?P<label>\d)\.png",
    ),
    Source(
        "jmz3_opencv-dr",
        "canvas",
        8,
        "jmz3/openCV-DigitRecognizer",
        "a820b751de46218ea6a1ece19efeb9219d32ebac",
        ("test_images/",),
        r"(?P<label>\d)\.png",
        left_out=("3.png", "5.png"),  # typed in a serif font, not handwritten
    ),
    Source(
        "owenliang_nn",
        "canvas",
        10,
        "owenliang/NeuralNetwork",
        "ad7ec407ede4092fd2395e0cc0a648703c698bde",
        ("handwriting/",),
        r"(?P<label>\d)\.png",
    ),
    Source(
        "frozen599_hr",
        "canvas",
        5,
        "frozen599/handwriting-recog",
        "e2f284eed4c5930b7ff4215518e23c5a83bcb515",
        ("test_images/",),
        r"(?P<label>\d)\.png",
    ),
    Source(
        "hsywhu_digit-cnn",
        "canvas",
        10,
        "hsywhu/Digit-recognition-with-convolutional-neural-networks",
        "dc1ddacb741f938ed14da02670e1bf209e97bc36",
        ("matlab/handwrite/",),
        r"(?P<label>\d)\.png",
    ),
    # About a hundred drawings a label: three of each are enough. Two middles repeat their
    # label's first file byte for byte (img/2/51.png, img/6/51.png) and are dropped. The other
    # 59 files of img/4/ (digit3-59.png, e1.png, e2.png) have no number name.
    Source(
        "swathikl4_hdr",
        "canvas",
        28,
        "swathikl4/Handwritten-digit-recogniztion",
        "617d857c7b0d4de9cd225923a02ba01edabd2537",
        ("img/",),
        r"(?P<label>\d)/(?P<number>\d+)\.png",
        "the folder `img/<d>/` the file is in; the files named `<number>.png` are read",
        pick=FIRST_MIDDLE_LAST,
    ),
)


class SetError(Exception):
    """Something that stops the build; its message is one line for the user."""


@dataclass(frozen=True)
class Picture:
    """One picture a source takes."""

    label: int
    path: str  # in the repository
    blob: str  # git's object id of its bytes: equal ids, equal bytes
    name: str  # its file name in the source's folder of OUT
    number: int  # the pattern's `number` group, for FIRST_MIDDLE_LAST; else 0


def git(git_dir: Path | None, *args: str) -> bytes:
    """Run git on a git directory (or none); its output, or a SetError with git's last line."""
    command = ["git", *([f"--git-dir={git_dir}"] if git_dir else []), *args]
    # A repository that is gone makes GitHub ask for a password: fail instead of waiting.
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    done = subprocess.run(command, capture_output=True, env=env, check=False)
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines() or ["(no message)"]
        shown = " ".join(args if len(args) < 6 else [*args[:5], "..."])
        raise SetError(f"git {shown}: {lines[-1]}")
    return done.stdout


def mirror_git_dir(mirrors: Path, repo: str) -> Path:
    """The git directory of a repository among local mirrors named `<owner>+<name>`."""
    folder = mirrors / repo.replace("/", "+")
    for candidate in (folder / "repo" / ".git", folder / "repo", folder / ".git", folder):
        if (candidate / "objects").is_dir() and (candidate / "HEAD").is_file():
            return candidate
    raise SetError(f"{repo}: no git directory in {folder}")


def clone(repo: str, commits: Iterable[str], scratch: Path) -> Path:
    """A bare blobless clone of a GitHub repository in scratch, with the given commits:
    commits and folders, no file contents."""
    git_dir = scratch / repo.replace("/", "+")
    url = GITHUB_URL.format(repo=repo)
    git(None, "clone", "--quiet", "--bare", "--filter=blob:none", url, str(git_dir))
    # A clone holds what branches and tags reach; three of the mhw32 commits are on pull
    # requests only (refs/pull/<n>/head), so every pinned commit is fetched by its id.
    git(git_dir, "fetch", "--quiet", "--no-tags", "origin", *sorted(set(commits)))
    return git_dir


def has_commit(git_dir: Path, commit: str) -> bool:
    """Whether a git directory holds a commit (a partial clone fetches it if it can)."""
    try:
        git(git_dir, "cat-file", "-e", f"{commit}^{{commit}}")
    except SetError:
        return False
    return True


def list_files(git_dir: Path, commit: str, folder: str) -> list[tuple[str, str]]:
    """(path, blob id) of every file under a folder at a commit, in git's order."""
    listing = git(git_dir, "ls-tree", "-r", "-z", "--full-tree", commit, "--", folder)
    files = []
    for entry in listing.decode().split("\0"):
        if entry:
            meta, path = entry.split("\t", 1)
            _mode, kind, blob = meta.split()
            if kind == "blob":
                files.append((path, blob))
    return files


def label_of(text: str) -> int:
    """A label from a digit or its English word."""
    return int(text) if text.isdigit() else DIGIT_WORDS.index(text)


def picture_name(source: Source, folder: str, under: str) -> str:
    """A picture's file name: its path under the folder, with the folder's name when a source
    reads several folders, `/` written as NAME_SEPARATOR."""
    parts = under.split("/")
    if len(source.folders) > 1:
        parts.insert(0, folder.rstrip("/").rsplit("/", 1)[-1])
    return NAME_SEPARATOR.join(parts)


def matching_pictures(source: Source, git_dir: Path) -> list[Picture]:
    """The files of a source whose path matches its pattern, less those it leaves out, by
    label and path."""
    if not has_commit(git_dir, source.commit):
        raise SetError(f"{source.name}: commit {source.commit} is not in {git_dir}")
    pattern = re.compile(source.pattern)
    pictures, left_out = [], set()
    for folder in source.folders:
        for path, blob in list_files(git_dir, source.commit, folder):
            under = path[len(folder) :]
            match = pattern.fullmatch(under)
            if match is None:
                continue
            if under in source.left_out:
                left_out.add(under)
                continue
            number = int(match.group("number")) if "number" in pattern.groupindex else 0
            name = picture_name(source, folder, under)
            pictures.append(Picture(label_of(match["label"]), path, blob, name, number))
    missing = sorted(set(source.left_out) - left_out)
    if missing:
        raise SetError(f"{source.name}: left-out {', '.join(missing)} not found as pictures")
    return sorted(pictures, key=lambda picture: (picture.label, picture.path))


def pick(rule: str, pictures: list[Picture]) -> list[Picture]:
    """The pictures a pick rule takes, by label and path."""
    if rule == ALL:
        return pictures
    by_label: dict[int, list[Picture]] = {}
    for picture in pictures:
        by_label.setdefault(picture.label, []).append(picture)
    if rule == FIRST_PER_LABEL:
        return [group[0] for group in by_label.values()]
    if rule == FIRST_MIDDLE_LAST:
        chosen = []
        for group in by_label.values():
            in_order = sorted(group, key=lambda picture: picture.number)
            for index in sorted({0, len(in_order) // 2, len(in_order) - 1}):
                chosen.append(in_order[index])
        return sorted(chosen, key=lambda picture: (picture.label, picture.path))
    raise ValueError(f"unknown pick rule {rule!r}, not one of {', '.join(PICK_RULES)}")


def choose(source: Source, git_dir: Path, taken: dict[str, str]) -> list[Picture]:
    """A source's pictures, less those byte-identical to one already taken (recorded in
    `taken`, blob id -> file); exactly source.count of them, or a SetError."""
    matching = matching_pictures(source, git_dir)
    chosen, repeats = [], []
    for picture in pick(source.pick, matching):
        if picture.blob in taken:
            repeats.append(f"{picture.path} = {taken[picture.blob]}")
            continue
        taken[picture.blob] = f"{source.name}/{picture.name}"
        chosen.append(picture)
    if len(chosen) != source.count:
        found = (
            f"{len(matching)} labelled files, less left-out ones, in {', '.join(source.folders)}"
        )
        dropped = f"; dropped as repeats: {', '.join(repeats)}" if repeats else ""
        raise SetError(
            f"{source.name}: took {len(chosen)} pictures, not {source.count}"
            f" ({found} of {source.repo} at {source.commit[:12]}, pick {source.pick!r}{dropped})"
        )
    names = Counter(picture.name for picture in chosen)
    if max(names.values()) > 1:
        raise SetError(f"{source.name}: two pictures named {names.most_common(1)[0][0]}")
    return chosen


def fetch_blobs(git_dir: Path, blobs: Iterable[str]) -> None:
    """Fetch file contents of a blobless clone in one request, not one request a file."""
    git(git_dir, "fetch", "--quiet", "--no-tags", "origin", *sorted(set(blobs)))


def check_out_folder(out: Path) -> None:
    """Refuse an OUT that holds anything, or whose parent folder is missing."""
    if out.exists() and not (out.is_dir() and not any(out.iterdir())):
        raise SetError(f"{out} exists and is not an empty folder: give a new one")
    if not out.parent.is_dir():
        raise SetError(f"{out.parent} is not a folder")


def manifest_rows(chosen: dict[Source, list[Picture]]) -> list[dict[str, str | int]]:
    """The manifest's rows: a picture a row, sources in table order."""
    return [
        {
            "file": f"{source.name}/{picture.name}",
            "source": source.name,
            "kind": source.kind,
            "repo": source.repo,
            "label": picture.label,
        }
        for source, pictures in chosen.items()
        for picture in pictures
    ]


def readme(chosen: dict[Source, list[Picture]], origin: str) -> str:
    """The set's README.md: where each source comes from, how its labels are read, its terms."""
    pictures = [picture for group in chosen.values() for picture in group]
    kinds = Counter(source.kind for source, group in chosen.items() for _ in group)
    repos = {source.repo for source in chosen}
    licensed = " and ".join(f"{repo} ({name})" for repo, name in LICENSED.items())
    lines = [
        "# realdigits: real pictures of handwritten digits",
        "",
        f"Built by `python benchmarks/real_set.py` (the mnistseg repository) from {origin}.",
        f"{len(pictures)} pictures, {len(chosen)} sources, {len(repos)} repositories; kinds: "
        + ", ".join(f"{kind} {n}" for kind, n in kinds.most_common())
        + ".",
        "",
        "These pictures were not made by the mnistseg project. Of their repositories only"
        f" {licensed} carry a license file, so the set is for local measurement only:"
        " do not commit it or pass it on.",
        "",
        "Each picture is byte for byte the file git stores at the commit below. Its path there is"
        f" the folder and its name, `{NAME_SEPARATOR}` read as `/` (a source with several"
        " folders starts the name with the folder's).",
        "",
        "`manifest.csv`: `" + ",".join(MANIFEST_FIELDS) + "`, `file` relative to this folder.",
        "",
        "| source | kind | count | repository | commit | folder |",
        "|---|---|---|---|---|---|",
    ]
    for source, group in chosen.items():
        folders = ", ".join(f"`{folder}`" for folder in source.folders)
        lines.append(
            f"| {source.name} | {source.kind} | {len(group)} | {source.repo}"
            f" | {source.commit} | {folders} |"
        )
    lines += ["", "## How labels are read", ""]
    for source in chosen:
        note = source.labels
        if source.pick != ALL:
            note += f"; taken: {PICK_RULES[source.pick]}"
        if source.left_out:
            note += "; left out: " + ", ".join(f"`{name}`" for name in source.left_out)
        lines.append(f"- **{source.name}**: {note}.")
    lines += [
        "",
        "A picture byte-identical to one taken before it is dropped. Why a file is left out is"
        " said beside its source in benchmarks/real_set.py.",
    ]
    return "\n".join(lines) + "\n"


def read_blob(git_dir: Path, source: Source, picture: Picture) -> bytes:
    """A picture's bytes as git stores them."""
    try:
        return git(git_dir, "cat-file", "blob", picture.blob)
    except SetError as error:
        raise SetError(f"{source.name}: {picture.path}: {error}") from None


def write_set(
    out: Path, chosen: dict[Source, list[Picture]], git_dirs: dict[str, Path], origin: str
) -> None:
    """Write pictures, manifest and README into a folder beside OUT; rename it to OUT."""
    building = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for source, pictures in chosen.items():
            (building / source.name).mkdir()
            for picture in pictures:
                data = read_blob(git_dirs[source.repo], source, picture)
                (building / source.name / picture.name).write_bytes(data)
        with (building / "manifest.csv").open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(manifest_rows(chosen))
        (building / "README.md").write_text(readme(chosen, origin))
        if out.exists():  # empty, checked before: keep the folder, move the set into it
            for entry in building.iterdir():
                entry.rename(out / entry.name)
            building.rmdir()
        else:
            building.rename(out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def build(out: Path, mirrors: Path | None) -> None:
    """Choose every source's pictures, then write the set to OUT."""
    out = out.resolve()  # so that its parent is the folder it is in, also for `.`
    check_out_folder(out)
    repos = list(dict.fromkeys(source.repo for source in SOURCES))
    with tempfile.TemporaryDirectory(prefix="real_set_clones.") as scratch:
        if mirrors is None:
            commits = {
                repo: [source.commit for source in SOURCES if source.repo == repo] for repo in repos
            }
            git_dirs = {repo: clone(repo, commits[repo], Path(scratch)) for repo in repos}
        else:
            git_dirs = {repo: mirror_git_dir(mirrors, repo) for repo in repos}
        taken: dict[str, str] = {}
        chosen = {source: choose(source, git_dirs[source.repo], taken) for source in SOURCES}
        for source, pictures in chosen.items():
            print(f"{source.name}: {len(pictures)} pictures")
        if mirrors is None:
            blobs: dict[str, list[str]] = {}
            for source, pictures in chosen.items():
                blobs.setdefault(source.repo, []).extend(picture.blob for picture in pictures)
            for repo, repo_blobs in blobs.items():
                fetch_blobs(git_dirs[repo], repo_blobs)
        origin = "GitHub" if mirrors is None else "local mirrors of the GitHub repositories"
        write_set(out, chosen, git_dirs, origin)
    total = sum(len(pictures) for pictures in chosen.values())
    print(f"{out}: {total} pictures from {len(chosen)} sources")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("out", type=Path, help="a new (or empty) folder for the set")
    parser.add_argument(
        "--mirrors", type=Path, help="read git directories named <owner>+<name> here, not GitHub"
    )
    opts = parser.parse_args()
    try:
        build(opts.out, opts.mirrors)
    except SetError as error:
        sys.exit(f"real_set.py: {error}")


if __name__ == "__main__":
    main()
