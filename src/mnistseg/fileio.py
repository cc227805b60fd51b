"""Atomic writes: an output is either complete or absent, never half-written.

A stage owns its outputs and replaces them whole (`staged_dir`, `staged_file`). A command
writes into a folder the user names (`files_into`): only the files it names, each moved into
place whole, the folder made when missing and nothing else in it touched.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np

from mnistseg.errors import InputError

STAGING_SUFFIX = ".partial"


def sweep_stale(final: Path) -> None:
    """Remove what a killed run left beside `final`: its staging folders and files.

    They are named `.<final's name>.<8 random characters>.partial` (and `final`'s own suffix
    for a file) by tempfile; only the one stage that writes `final` makes them, so any found
    before it starts are stale.
    """
    name = re.compile(
        rf"\.{re.escape(final.name)}\.[a-z0-9_]{{8}}{re.escape(STAGING_SUFFIX)}"
        rf"({re.escape(final.suffix)})?"
    )
    for leftover in final.parent.glob(f".{glob.escape(final.name)}.*{STAGING_SUFFIX}*"):
        if not name.fullmatch(leftover.name):
            continue
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def staging_beside(final: Path) -> Path:
    """`final` as a Path, its folder made, and stale staging from a killed run swept."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(final)
    return final


@contextlib.contextmanager
def staged_dir(final: Path) -> Iterator[Path]:
    """Yield a fresh temporary folder beside `final`; on success it replaces `final`.

    On any exception the temporary folder is removed and `final` is left as it was, so a
    failed stage leaves no half-written output behind; what a killed one left is swept by
    the next run.
    """
    final = staging_beside(final)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=STAGING_SUFFIX, dir=final.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    # A folder cannot be renamed over a non-empty one, so the old one goes first.
    if final.is_dir() and not final.is_symlink():
        shutil.rmtree(final)
    elif final.exists() or final.is_symlink():
        final.unlink()
    os.replace(tmp, final)


@contextlib.contextmanager
def staged_file(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside `final`; on success it is renamed onto `final`.

    The path ends in `final`'s suffix: OpenCV picks a video's container by it, and np.save
    adds `.npy` to a name without it.
    """
    final = staging_beside(final)
    suffix = STAGING_SUFFIX + final.suffix
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=suffix, dir=final.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, final)


def write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically."""
    with staged_file(path) as tmp:
        tmp.write_bytes(data)


def write_json(path: Path, payload: Mapping) -> None:
    """Write `payload` as indented JSON (sorted keys, stable bytes) atomically."""
    write_bytes(path, (json.dumps(payload, indent=2, sort_keys=True) + "\n").encode())


def save_arrays(folder: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Save each array as `<name>.npy` in `folder` (uncompressed, so memory-mappable)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        np.save(folder / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)


def load_arrays(folder: Path, names: tuple[str, ...], mmap: bool = False) -> dict[str, np.ndarray]:
    """Load `<name>.npy` for each name; a missing file raises FileNotFoundError naming it."""
    arrays = {}
    for name in names:
        path = Path(folder) / f"{name}.npy"
        if not path.is_file():
            raise FileNotFoundError(f"{path}: missing (run `dvc repro` to build it)")
        arrays[name] = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    return arrays


def existing(folder: Path, names: Iterable[str]) -> list[Path]:
    """The files of `names` (paths relative to `folder`) that are there already, or whose
    place a file of the user's takes (a file `sub` where `sub/x.png` would go)."""
    taken = []
    for name in names:
        path = folder / name
        parents = path.relative_to(folder).parents
        if path.exists() or any((folder / p).is_file() for p in parents if p != Path(".")):
            taken.append(path)
    return taken


def refuse_existing(folder: Path, names: Iterable[str], overwrite: bool) -> None:
    """An InputError listing the files of `names` that `folder` holds already, unless
    `overwrite` says to replace them (those and only those)."""
    taken = [] if overwrite else existing(folder, names)
    if taken:
        shown = ", ".join(map(str, taken[:5])) + (
            f" and {len(taken) - 5} more" if len(taken) > 5 else ""
        )
        raise InputError(f"{shown}: there already (--overwrite replaces them)")


@contextlib.contextmanager
def files_into(folder: Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a staging folder inside `folder`; on success each file written there (subfolders
    too) is moved to the same place in `folder`, one by one, each whole.

    `folder` and the subfolders are made when missing; nothing else in them is touched. A
    file that is there already stops it before any moves (refuse_existing), unless
    `overwrite`. On any exception nothing is moved, the staging folder is removed, and so is
    `folder` if this made it and it is empty.
    """
    folder = Path(folder)
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".mnistseg-", suffix=STAGING_SUFFIX, dir=folder))
    try:
        yield tmp
        written = sorted(p.relative_to(tmp) for p in tmp.rglob("*") if p.is_file())
        refuse_existing(folder, written, overwrite)
        for name in written:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / name, folder / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if made and not any(folder.iterdir()):
            folder.rmdir()
