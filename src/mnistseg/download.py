"""Getting the four MNIST IDX files: from the official mirrors (md5-checked) or a local folder."""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from mnistseg.idx import DigitSplit, IdxError, read_split

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
HOW_TO_GO_LOCAL = (
    "To use files you already have, set `data.source` in params.yaml to a folder holding "
    f"{', '.join(FILE_NAMES)} (for example `dvc exp run -S data.source=../shared/mnist`)."
)


class SourceError(RuntimeError):
    """The digit files could not be obtained from the chosen source."""


def http_get(url: str, timeout: float = 30.0) -> bytes:
    """Fetch `url` and return its body."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def fetch_official(
    mirrors: Sequence[str] = OFFICIAL_MIRRORS,
    checksums: Mapping[str, str] = OFFICIAL_MD5,
    fetch: Callable[[str], bytes] = http_get,
) -> dict[str, bytes]:
    """Fetch every file in `checksums`, trying each mirror in turn, and verify its md5."""
    files = {}
    for name, md5 in checksums.items():
        failures = []
        for mirror in mirrors:
            url = mirror + name
            try:
                data = fetch(url)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                failures.append(f"{url}: {exc}")
                continue
            digest = hashlib.md5(data).hexdigest()
            if digest == md5:
                files[name] = data
                break
            failures.append(f"{url}: md5 {digest}, expected {md5}")
        else:
            raise SourceError(
                f"could not download {name} from any official mirror:\n  "
                + "\n  ".join(failures)
                + f"\n{HOW_TO_GO_LOCAL}"
            )
    return files


def read_local(folder: Path, hint: str = HOW_TO_GO_LOCAL) -> dict[str, bytes]:
    """Read the four files from a local folder; a missing folder or file is a SourceError.

    `hint` ends the error message: what the user should do about it.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise SourceError(f"{folder} is neither `{OFFICIAL}` nor an existing folder. {hint}")
    missing = [name for name in FILE_NAMES if not (folder / name).is_file()]
    if missing:
        raise SourceError(f"{folder}: missing {', '.join(missing)}. {hint}")
    return {name: (folder / name).read_bytes() for name in FILE_NAMES}


def validate_files(files: Mapping[str, bytes]) -> dict[str, DigitSplit]:
    """Decode and structurally check both splits (magic, sizes, counts, labels, same image size)."""
    splits = {
        split: read_split(files[images], files[labels], images, labels)
        for split, (images, labels) in SPLIT_FILES.items()
    }
    train_hw, test_hw = splits["train"].images.shape[1:], splits["test"].images.shape[1:]
    if train_hw != test_hw:
        raise IdxError(
            f"{SPLIT_FILES['train'][0]} holds {train_hw} images but {SPLIT_FILES['test'][0]} "
            f"holds {test_hw}: both splits must have one image size"
        )
    return splits


def get_files(source: str) -> dict[str, bytes]:
    """Obtain and validate the four files from `source` (`official` or a folder path)."""
    if source == OFFICIAL:
        files = fetch_official()
    else:
        files = read_local(Path(source), hint=f"data.source: {HOW_TO_GO_LOCAL}")
    validate_files(files)
    return files
