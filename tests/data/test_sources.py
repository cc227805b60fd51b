import gzip
import hashlib
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from mnistseg.data.idx import encode_idx
from mnistseg.data.sources import (
    FILE_NAMES,
    OFFICIAL_MIRRORS,
    DataParams,
    SourceError,
    fetch_official,
    get_files,
    read_local,
    validate_files,
)
from mnistseg.errors import IdxError, ParamError
from mnistseg.params import validate_section


def local_files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILE_NAMES}


def offline(url: str) -> bytes:
    raise urllib.error.URLError("Name or service not known")


def test_fetch_tries_each_mirror_and_checks_md5(tiny_mnist):
    files = local_files(tiny_mnist)
    checksums = {name: hashlib.md5(data).hexdigest() for name, data in files.items()}
    tried = []

    def fetch(url: str) -> bytes:
        tried.append(url)
        mirror, name = url.rsplit("/", 1)
        if mirror == "https://down.example":
            raise urllib.error.URLError("unreachable")
        if mirror == "https://corrupt.example":
            return files[name][:-1]
        return files[name]

    mirrors = ("https://down.example/", "https://corrupt.example/", "https://good.example/")
    assert fetch_official(mirrors, checksums, fetch) == files
    # The unreachable mirror is asked once, not once per file.
    assert len(tried) == 1 + 2 * len(FILE_NAMES)


def test_no_reachable_mirror_means_offline():
    with pytest.raises(SourceError) as err:
        fetch_official(("https://a.example/", "https://b.example/"), {"f.gz": "0" * 32}, offline)
    assert str(err.value) == (
        "offline or no mirror reachable (https://a.example/: Name or service not known)"
    )


def test_a_timeout_is_named_as_it_is():
    def silent(url: str) -> bytes:
        raise TimeoutError("timed out")

    with pytest.raises(SourceError, match=r"\(https://a.example/: timed out\)"):
        fetch_official(("https://a.example/",), {"f.gz": "0" * 32}, silent)


def test_md5_mismatch_everywhere_is_an_error():
    data = b"data"
    digest = hashlib.md5(data).hexdigest()
    with pytest.raises(SourceError) as err:
        fetch_official(("https://a/", "https://b/"), {"f.gz": "0" * 32}, lambda url: data)
    assert str(err.value) == (
        f"no mirror served f.gz (https://a/f.gz: md5 {digest}, expected {'0' * 32}; "
        f"https://b/f.gz: md5 {digest}, expected {'0' * 32})"
    )


def test_a_mirror_without_a_file_is_still_asked_for_the_others():
    served = {"https://a/two.gz": b"2", "https://b/one.gz": b"1", "https://b/two.gz": b"2"}
    checksums = {
        name: hashlib.md5(data).hexdigest() for name, data in (("one.gz", b"1"), ("two.gz", b"2"))
    }
    tried = []

    def fetch(url: str) -> bytes:
        tried.append(url)
        if url not in served:
            raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)
        return served[url]

    assert fetch_official(("https://a/", "https://b/"), checksums, fetch) == {
        "one.gz": b"1",
        "two.gz": b"2",
    }
    assert tried == ["https://a/one.gz", "https://b/one.gz", "https://a/two.gz"]
    with pytest.raises(
        SourceError, match=r"no mirror served one.gz \(https://a/one.gz: HTTP 404\)"
    ):
        fetch_official(("https://a/",), checksums, fetch)


def test_local_source_is_checked_by_structure(tiny_mnist):
    served = get_files([str(tiny_mnist)], fetch=offline)
    assert set(served.files) == set(FILE_NAMES) and served.source == str(tiny_mnist)
    assert served.skipped == []


def test_places_are_tried_in_order_and_the_skipped_ones_say_why(tiny_mnist, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name, data in local_files(tiny_mnist).items():
        (broken / name).write_bytes(data if name != FILE_NAMES[1] else gzip.compress(b"junk"))
    sources = ["official", str(tmp_path / "nowhere"), str(broken), str(tiny_mnist)]
    served = get_files(sources, fetch=offline)
    assert served.source == str(tiny_mnist)
    said = "\n".join(served.skipped)
    assert "official: offline" in said
    assert "nowhere: no such folder" in said
    assert f"{broken}: {FILE_NAMES[1]}: wrong magic number" in said


def test_no_usable_place_is_one_line_naming_data_source(tmp_path):
    with pytest.raises(SourceError) as err:
        get_files(["official", str(tmp_path / "nowhere")], fetch=offline)
    text = str(err.value)
    assert "\n" not in text
    assert text == (
        "data.source: no place served a valid IDX image set (official: offline or no mirror "
        f"reachable ({OFFICIAL_MIRRORS[0]}: Name or service not known); {tmp_path}/nowhere: "
        "no such folder). Fix: connect to the internet for `official` (MNIST), or add a folder "
        "holding an IDX image set (MNIST or any set of its shape) as "
        f"{', '.join(FILE_NAMES)} to `data.source` in params.yaml "
        "(`dvc exp run -S 'data.source=[official,/path/to/mnist]'`)"
    )


def test_local_source_missing_file(tiny_mnist, tmp_path):
    for name in FILE_NAMES[:3]:
        (tmp_path / name).write_bytes((tiny_mnist / name).read_bytes())
    with pytest.raises(SourceError) as err:
        read_local(tmp_path)
    assert str(err.value) == f"{tmp_path}: missing {FILE_NAMES[3]}"
    (tmp_path / FILE_NAMES[2]).unlink()
    with pytest.raises(SourceError) as err:
        read_local(tmp_path, hint="Run `make data`")
    assert (
        str(err.value) == f"{tmp_path}: missing {FILE_NAMES[2]}, {FILE_NAMES[3]}. Run `make data`"
    )
    with pytest.raises(SourceError) as err:
        read_local(tmp_path / "nowhere")
    assert str(err.value) == f"{tmp_path / 'nowhere'}: no such folder"


def test_a_single_place_or_a_list():
    assert DataParams(source="official").source == ("official",)
    assert DataParams(source=["official", "x"]).source == ("official", "x")
    with pytest.raises(ParamError, match=r"data.source: value should have at least 1 item"):
        validate_section(DataParams, {"source": []}, "data", "params.yaml")
    with pytest.raises(ParamError, match=r"data.source.1: input should be a valid string, got 2"):
        validate_section(DataParams, {"source": ["a", 2]}, "data", "params.yaml")


def test_every_bad_file_of_a_folder_is_named(tiny_mnist, tmp_path):
    files = local_files(tiny_mnist)
    files[FILE_NAMES[0]] = gzip.compress(b"junk")  # train images
    files[FILE_NAMES[1]] = files[FILE_NAMES[1]][:-9]  # train labels, cut short
    files[FILE_NAMES[3]] = gzip.compress(encode_idx(np.full(100, 10, np.uint8)), mtime=0)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with pytest.raises(SourceError) as err:
        get_files([str(tmp_path)], fetch=offline)
    text = str(err.value)
    assert f"{FILE_NAMES[0]}: wrong magic number" in text
    assert f"; {FILE_NAMES[1]}: not a complete gzip file" in text
    assert f"; {FILE_NAMES[3]}: label 10 outside 0-9" in text
    assert FILE_NAMES[2] not in text.split("Fix:")[0]  # the good file is not blamed


def test_splits_of_two_image_sizes_are_refused(tiny_mnist):
    files = local_files(tiny_mnist)
    small = np.zeros((100, 20, 20), np.uint8)
    files[FILE_NAMES[2]] = gzip.compress(encode_idx(small), mtime=0)
    with pytest.raises(IdxError) as err:
        validate_files(files)
    assert str(err.value) == (
        f"{FILE_NAMES[0]} holds (28, 28) images but {FILE_NAMES[2]} holds (20, 20): both "
        "splits must have one image size"
    )


def test_offline_only_when_every_mirror_is_unreachable():
    """One mirror down and the other serving a bad copy is no mirror serving the file, with
    both reasons, not `offline`."""

    def fetch(url: str) -> bytes:
        if url.startswith("https://down.example/"):
            raise urllib.error.URLError("unreachable")
        return b"corrupt"

    mirrors = ("https://down.example/", "https://bad.example/")
    with pytest.raises(SourceError) as err:
        fetch_official(mirrors, {"f.gz": "0" * 32}, fetch)
    digest = hashlib.md5(b"corrupt").hexdigest()
    assert str(err.value) == (
        "no mirror served f.gz (https://down.example/: unreachable; "
        f"https://bad.example/f.gz: md5 {digest}, expected {'0' * 32})"
    )
