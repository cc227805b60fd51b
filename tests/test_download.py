import hashlib
import urllib.error
from pathlib import Path

import pytest

from mnistseg.download import FILE_NAMES, SourceError, fetch_official, get_files, read_local


def local_files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILE_NAMES}


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
    got = fetch_official(mirrors, checksums, fetch)
    assert got == files
    assert len(tried) == 3 * len(FILE_NAMES)


def test_fetch_with_no_mirror_says_how_to_go_local():
    def offline(url: str) -> bytes:
        raise urllib.error.URLError("Name or service not known")

    with pytest.raises(SourceError) as err:
        fetch_official(("https://a.example/", "https://b.example/"), {"f.gz": "0" * 32}, offline)
    text = str(err.value)
    assert "https://a.example/f.gz: <urlopen error Name or service not known>" in text
    assert "https://b.example/f.gz" in text
    assert "data.source" in text


def test_md5_mismatch_everywhere_is_an_error():
    with pytest.raises(SourceError, match=r"md5 .*expected 0{32}"):
        fetch_official(("https://a.example/",), {"f.gz": "0" * 32}, lambda url: b"data")


def test_local_source_is_checked_by_structure(tiny_mnist):
    assert set(get_files(str(tiny_mnist))) == set(FILE_NAMES)


def test_local_source_missing_file(tiny_mnist, tmp_path):
    for name in FILE_NAMES[:3]:
        (tmp_path / name).write_bytes((tiny_mnist / name).read_bytes())
    with pytest.raises(SourceError, match=f"missing {FILE_NAMES[3]}"):
        read_local(tmp_path)


def test_source_that_is_no_folder(tmp_path):
    with pytest.raises(SourceError, match="neither `official` nor an existing folder"):
        read_local(tmp_path / "nowhere")
