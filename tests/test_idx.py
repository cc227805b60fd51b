import gzip

import numpy as np
import pytest

from mnistseg.idx import IMAGES_MAGIC, IdxError, encode_idx, parse_idx, read_split


def gz(array: np.ndarray) -> bytes:
    return gzip.compress(encode_idx(array), mtime=0)


IMAGES = np.arange(5 * 28 * 28, dtype=np.uint32).astype(np.uint8).reshape(5, 28, 28)
LABELS = np.array([0, 1, 2, 9, 5], dtype=np.uint8)


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
    ],
)
def test_bad_files_name_the_file_and_problem(images, labels, message):
    with pytest.raises(IdxError, match=message):
        read_split(images, labels, "img.gz", "lab.gz")


def test_parse_idx_reads_header_shape():
    raw = encode_idx(IMAGES[:2, :3, :4])
    assert parse_idx(raw, "x", IMAGES_MAGIC).shape == (2, 3, 4)
