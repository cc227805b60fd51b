import gzip
import hashlib
import urllib.error
from pathlib import Path

import pytest

from mnistseg.download import (
    FILE_NAMES,
    DataParams,
    SourceError,
    fetch_official,
    get_files,
    read_local,
)
from mnistseg.errors import KnobError


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
    with pytest.raises(SourceError, match=r"offline or no mirror reachable .*not known"):
        fetch_official(("https://a.example/", "https://b.example/"), {"f.gz": "0" * 32}, offline)


def test_md5_mismatch_everywhere_is_an_error():
    with pytest.raises(SourceError, match=r"no mirror served f.gz .*md5 .*expected 0{32}"):
        fetch_official(("https://a.example/",), {"f.gz": "0" * 32}, lambda url: b"data")


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
    assert f"{FILE_NAMES[1]}: wrong magic number" in said


def test_no_usable_place_is_one_line_naming_data_source(tmp_path):
    with pytest.raises(SourceError) as err:
        get_files(["official", str(tmp_path / "nowhere")], fetch=offline)
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith("data.source: no place served MNIST")
    assert "official: offline" in text and "nowhere: no such folder" in text and "Fix:" in text


def test_local_source_missing_file(tiny_mnist, tmp_path):
    for name in FILE_NAMES[:3]:
        (tmp_path / name).write_bytes((tiny_mnist / name).read_bytes())
    with pytest.raises(SourceError, match=f"missing {FILE_NAMES[3]}"):
        read_local(tmp_path)


def test_a_single_place_or_a_list():
    assert DataParams(source="official").source == ("official",)
    assert DataParams(source=["official", "x"]).source == ("official", "x")
    with pytest.raises(KnobError, match="source must be a string or a list of strings"):
        DataParams(source=[])
