"""Getting the four IDX files of a digit set (MNIST's names) from the first place serving them.

A place is `official` (the official mirrors, every file md5-checked) or a local folder (checked
by structure: magic numbers, sizes, counts, labels). `data.source` lists places in order.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mnistseg.data.idx import DigitSplit, read_split
from mnistseg.errors import IdxError, SourceError
from mnistseg.params import Names, Section

# (images file, labels file) of each split, as the official mirrors name them.
SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
FILE_NAMES = tuple(name for pair in SPLIT_FILES.values() for name in pair)
OFFICIAL_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
OFFICIAL_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
OFFICIAL = "official"
# Seconds a connection may stay silent before a mirror counts as unreachable: a black-holed
# network costs at most this per mirror, not minutes.
TIMEOUT_S = 10.0


class DataParams(Section):
    """`data` in params.yaml."""

    # Places to get MNIST from, tried in order: `official` and/or folders with the four files.
    source: Names


def http_get(url: str, timeout: float = TIMEOUT_S) -> bytes:  # pragma: no mutate block (network)
    """Fetch `url` and return its body."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def fetch_official(
    mirrors: Sequence[str] = OFFICIAL_MIRRORS,
    checksums: Mapping[str, str] = OFFICIAL_MD5,
    fetch: Callable[[str], bytes] = http_get,
) -> dict[str, bytes]:
    """Fetch every file in `checksums` from the first mirror that has it, md5-verified.

    A mirror that cannot be reached is not asked again for the other files.
    """
    files, unreachable, failures = {}, set(), []
    for name, md5 in checksums.items():
        for mirror in mirrors:
            if mirror in unreachable:
                continue
            url = mirror + name
            try:
                data = fetch(url)
            except urllib.error.HTTPError as exc:
                failures.append(f"{url}: HTTP {exc.code}")
                continue
            except (TimeoutError, urllib.error.URLError, OSError, ValueError) as exc:
                unreachable.add(mirror)
                failures.append(f"{mirror}: {getattr(exc, 'reason', exc)}")
                continue
            digest = hashlib.md5(data).hexdigest()
            if digest == md5:
                files[name] = data
                break
            failures.append(f"{url}: md5 {digest}, expected {md5}")
        else:
            if len(unreachable) == len(mirrors):
                raise SourceError(f"offline or no mirror reachable ({failures[0]})")
            raise SourceError(f"no mirror served {name} ({'; '.join(failures)})")
    return files


def read_local(folder: Path, hint: str = "") -> dict[str, bytes]:
    """Read the four files from a local folder; a missing folder or file is a SourceError.

    `hint`, if given, ends the error message: what the user should do about it.
    """
    folder = Path(folder)
    end = f". {hint}" if hint else ""
    if not folder.is_dir():
        raise SourceError(f"{folder}: no such folder{end}")
    missing = [name for name in FILE_NAMES if not (folder / name).is_file()]
    if missing:
        raise SourceError(f"{folder}: missing {', '.join(missing)}{end}")
    return {name: (folder / name).read_bytes() for name in FILE_NAMES}


def validate_files(files: Mapping[str, bytes]) -> dict[str, DigitSplit]:
    """Decode and structurally check both splits (magic, sizes, counts, labels, same image size).

    One IdxError lists every bad file, not only the first.
    """
    splits, problems = {}, []
    for split, (images, labels) in SPLIT_FILES.items():
        try:
            splits[split] = read_split(files[images], files[labels], images, labels)
        except IdxError as exc:
            problems.append(str(exc))
    if problems:
        raise IdxError("; ".join(problems))
    train_hw, test_hw = splits["train"].images.shape[1:], splits["test"].images.shape[1:]
    if train_hw != test_hw:
        raise IdxError(
            f"{SPLIT_FILES['train'][0]} holds {train_hw} images but {SPLIT_FILES['test'][0]} "
            f"holds {test_hw}: both splits must have one image size"
        )
    return splits


@dataclass(frozen=True)
class Served:
    """The files, the place that served them, and why each earlier place was skipped."""

    files: dict[str, bytes]
    source: str
    skipped: list[str]


def get_files(sources: Sequence[str], fetch: Callable[[str], bytes] = http_get) -> Served:
    """The four files from the first of `sources` that serves a valid set.

    With no usable place, one SourceError lists what each place said and how to fix it.
    """
    skipped = []
    for source in sources:
        try:
            files = fetch_official(fetch=fetch) if source == OFFICIAL else read_local(Path(source))
            validate_files(files)
        except SourceError as exc:  # a folder's own errors name it already
            skipped.append(f"{source}: {exc}" if source == OFFICIAL else str(exc))
            continue
        except IdxError as exc:
            skipped.append(f"{source}: {exc}")
            continue
        return Served(files, source, skipped)
    raise SourceError(
        f"data.source: no place served a valid IDX image set ({'; '.join(skipped)}). Fix: "
        f"connect to the internet for `{OFFICIAL}` (MNIST), or add a folder holding an IDX "
        f"image set (MNIST or any set of its shape) as {', '.join(FILE_NAMES)} to "
        "`data.source` in params.yaml (`dvc exp run -S 'data.source=[official,/path/to/mnist]'`)"
    )
