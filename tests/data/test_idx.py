import gzip
import re

import numpy as np
import pytest

from mnistseg.data.idx import IMAGES_MAGIC, IdxError, encode_idx, parse_idx, read_split


def gz(array: np.ndarray) -> bytes:
    return gzip.compress(encode_idx(array), mtime=0)


IMAGES = np.arange(5 * 28 * 28, dtype=np.uint32).astype(np.uint8).reshape(5, 28, 28)
LABELS = np.array([0, 1, 2, 9, 5], dtype=np.uint8)


def retyped(type_code: int) -> bytes:
    """IMAGES' file with another data type in its magic number (third byte)."""
    raw = encode_idx(IMAGES)
    return gzip.compress(raw[:2] + bytes([type_code]) + raw[3:], mtime=0)


def test_round_trip():
    split = read_split(gz(IMAGES), gz(LABELS), "img.gz", "lab.gz")
    np.testing.assert_array_equal(split.images, IMAGES)
    np.testing.assert_array_equal(split.labels, LABELS)


@pytest.mark.parametrize(
    ("images", "labels", "message"),
    [
        (gz(IMAGES)[:-20], gz(LABELS), "img.gz: not a complete gzip file"),
        (gzip.compress(encode_idx(IMAGES)[:-5]), gz(LABELS), "img.gz: truncated data"),
        (gzip.compress(encode_idx(IMAGES) + b"xx"), gz(LABELS), "img.gz: 2 unexpected bytes"),
        (gz(LABELS), gz(LABELS), "img.gz: wrong magic number 0x00000801"),
        (gz(IMAGES), gz(IMAGES), "lab.gz: wrong magic number 0x00000803"),
        (gz(IMAGES), gz(LABELS[:4]), "img.gz has 5 images but lab.gz has 4 labels"),
        (gz(IMAGES), gz(np.array([0, 1, 2, 10, 3], np.uint8)), "lab.gz: label 10 outside 0-9"),
        (gz(IMAGES[:0]), gz(LABELS[:0]), "img.gz: holds no images"),
        (gzip.compress(b"\x00\x00"), gz(LABELS), "img.gz: truncated header"),
        (gz(IMAGES), gz(LABELS)[:-3], "lab.gz: not a complete gzip file"),
        # Fewer images than labels is a mismatch too, not only more.
        (gz(IMAGES[:4]), gz(LABELS), "img.gz has 4 images but lab.gz has 5 labels"),
        # The magic's type byte counts: 0x09 is signed bytes, 0x0D floats (3 dimensions both).
        (retyped(0x09), gz(LABELS), "img.gz: wrong magic number 0x00000903, expected 0x00000803"),
        (retyped(0x0D), gz(LABELS), "img.gz: wrong magic number 0x00000d03, expected 0x00000803"),
    ],
    ids=[
        "gzip-cut",
        "data-cut",
        "trailing",
        "magic-images",
        "magic-labels",
        "count",
        "label",
        "empty",
        "header",
        "labels-cut",
        "fewer-images",
        "signed-type",
        "float-type",
    ],
)
def test_bad_files_name_the_file_and_problem(images, labels, message):
    with pytest.raises(IdxError, match=message):
        read_split(images, labels, "img.gz", "lab.gz")


def test_parse_idx_reads_header_shape():
    raw = encode_idx(IMAGES[:2, :3, :4])
    assert parse_idx(raw, "x", IMAGES_MAGIC).shape == (2, 3, 4)


def test_both_files_problems_are_reported_together():
    with pytest.raises(IdxError, match=r"img.gz: wrong magic .*; lab.gz: not a complete gzip"):
        read_split(gz(LABELS), gz(LABELS)[:-3], "img.gz", "lab.gz")


@pytest.mark.parametrize("shape", [(2**24 + 5, 1, 1), (1, 2**24 + 1, 3), (1, 3, 2**24 + 7)])
def test_every_header_byte_counts(shape):
    # Sizes past 2**24 use every byte of a dimension's four: a header read one byte off
    # would report another shape.
    header = IMAGES_MAGIC.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in shape)
    with pytest.raises(IdxError, match=re.escape(f"header says {shape}")):
        parse_idx(header + b"\x00" * 10, "x", IMAGES_MAGIC)


def test_encode_idx_writes_a_big_endian_header():
    raw = encode_idx(np.zeros((2, 3, 260), np.uint8))
    assert raw[:16] == bytes.fromhex("00000803000000020000000300000104")
    assert encode_idx(np.array([7, 8], np.uint8)) == bytes.fromhex("00000801 00000002 0708")


@pytest.mark.parametrize(
    "array",
    [np.zeros((2, 3, 4), np.float32), np.zeros((2, 3), np.uint8), np.zeros((2, 3), float)],
    ids=["float-images", "two-dimensions", "both"],
)
def test_encode_idx_refuses_what_idx_sets_do_not_hold(array):
    with pytest.raises(ValueError) as err:
        encode_idx(array)
    assert str(err.value) == (
        "encode_idx takes a uint8 array of 1 (labels) or 3 (images) dimensions"
    )
