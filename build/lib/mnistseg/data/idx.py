"""Reading and validating IDX image sets as MNIST ships them (gzip, big-endian header)."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass

import numpy as np

from mnistseg.digits import NUM_CLASSES
from mnistseg.errors import IdxError

IMAGES_MAGIC = 0x00000803  # unsigned byte, 3 dimensions
LABELS_MAGIC = 0x00000801  # unsigned byte, 1 dimension


@dataclass(frozen=True)
class DigitSplit:
    """One split of a digit set: (N, H, W) uint8 images and (N,) uint8 labels."""

    images: np.ndarray
    labels: np.ndarray


def decompress(data: bytes, name: str) -> bytes:
    """Gunzip `data`; a truncated or corrupt stream raises IdxError naming `name`."""
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise IdxError(f"{name}: not a complete gzip file ({exc})") from exc


def parse_idx(raw: bytes, name: str, magic: int) -> np.ndarray:
    """Parse uncompressed IDX bytes into a uint8 array, checking magic and exact length."""
    ndim = magic & 0xFF
    header_len = 4 + 4 * ndim
    found = int.from_bytes(raw[:4], "big")
    if len(raw) >= 4 and found != magic:
        raise IdxError(f"{name}: wrong magic number 0x{found:08x}, expected 0x{magic:08x}")
    if len(raw) < header_len:
        raise IdxError(f"{name}: truncated header ({len(raw)} bytes, need {header_len})")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header_len + int(np.prod(shape, dtype=np.int64))
    if len(raw) < expected:
        raise IdxError(
            f"{name}: truncated data: header says {shape} ({expected} bytes), file has {len(raw)}"
        )
    if len(raw) > expected:
        raise IdxError(f"{name}: {len(raw) - expected} unexpected bytes after the data")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(shape)


def read_split(
    images_gz: bytes, labels_gz: bytes, images_name: str, labels_name: str
) -> DigitSplit:
    """Decode one split from its two .gz files and check that they agree.

    Checks: magic numbers, complete data, image and label counts equal, labels in 0-9. Every
    problem found is reported, both files' in one IdxError.
    """
    problems, arrays = [], []
    for data, name, magic in (
        (images_gz, images_name, IMAGES_MAGIC),
        (labels_gz, labels_name, LABELS_MAGIC),
    ):
        try:
            arrays.append(parse_idx(decompress(data, name), name, magic))
        except IdxError as exc:
            problems.append(str(exc))
    if len(arrays) == 2:
        images, labels = arrays
        if images.shape[0] == 0:
            problems.append(f"{images_name}: holds no images")
        elif images.shape[0] != labels.shape[0]:
            problems.append(
                f"{images_name} has {images.shape[0]} images but {labels_name} has "
                f"{labels.shape[0]} labels"
            )
        elif labels.max() >= NUM_CLASSES:
            problems.append(f"{labels_name}: label {int(labels.max())} outside 0-{NUM_CLASSES - 1}")
    if problems:
        raise IdxError("; ".join(problems))
    return DigitSplit(images=images, labels=labels)


def encode_idx(array: np.ndarray) -> bytes:
    """Encode a uint8 array as uncompressed IDX bytes (the inverse of `parse_idx`)."""
    if array.dtype != np.uint8 or array.ndim not in (1, 3):
        raise ValueError("encode_idx takes a uint8 array of 1 (labels) or 3 (images) dimensions")
    magic = IMAGES_MAGIC if array.ndim == 3 else LABELS_MAGIC
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array).tobytes()
