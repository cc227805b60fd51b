"""Words that stay true: every path, module, command, option and make target that the README,
docs/ and the requirements' comments name exists."""

import importlib
import re

import pytest

from conftest import REPO
from mnistseg.commands import parser

DOCUMENTS = sorted(
    [REPO / "README.md", *(REPO / "docs").glob("*.md"), *REPO.glob("requirements*.in")]
)
# Folders of this repository whose files the documents name (outputs such as data/ are made
# by `dvc repro`, and ../shared is beside the checkout, not in it).
SOURCE_FOLDERS = ("src", "stages", "tests", "benchmarks", "tools", "docs", ".github", ".dvc", ".ci")
COMMANDS = set(parser()._subparsers._group_actions[0].choices)
PYTHON_FILES = [
    p.relative_to(REPO).as_posix()
    for folder in SOURCE_FOLDERS
    for p in (REPO / folder).rglob("*.py")
]
MADE_BY_USERS = {".dvc/config.local"}  # credentials, git-ignored: the README says to make it
MAKE_TARGETS = set(re.findall(r"^([\w-]+):", (REPO / "Makefile").read_text(), re.MULTILINE))


def named(pattern: str) -> list[tuple[str, str]]:
    """(document, match) for every match of `pattern` in the documents' code (`...` spans and
    fenced blocks) and links."""
    found = []
    for document in DOCUMENTS:
        text = document.read_text()
        code = re.findall(r"```.*?```|`[^`\n]+`|\]\([^)]+\)", text, re.DOTALL)
        if document.suffix == ".in":  # a requirements file: its comments are its words
            code = [line for line in text.splitlines() if line.startswith("#")]
        for part in code:
            found += [(document.name, m) for m in re.findall(pattern, part)]
    return sorted(set(found))


def fixed_part(path: str) -> str:
    """A path up to its first placeholder (`stages/<name>.py`, `masks/{i}.png`, `*.json`)."""
    return re.split(r"[<{*]", path)[0].rstrip("/").rsplit("/", 1)[0] if re.search(
        r"[<{*]", path) else path.rstrip("/")  # fmt: skip


PATHS = named(
    rf"(?<![\w./-])((?:{'|'.join(re.escape(f) for f in SOURCE_FOLDERS)})/[\w./<>{{}}*-]*)"
)


@pytest.mark.parametrize(("document", "path"), PATHS)
def test_each_path_named_exists(document, path):
    assert path in MADE_BY_USERS or (REPO / fixed_part(path)).exists(), f"{document}: {path}"


FILES = named(r"(?<![\w/.-])((?:[\w-]+/)?[\w-]+\.py)\b")


@pytest.mark.parametrize(("document", "name"), FILES)
def test_each_python_file_named_exists(document, name):
    assert any(p == name or p.endswith("/" + name) for p in PYTHON_FILES), f"{document}: {name}"


MODULES = named(r"\b(mnistseg(?:\.\w+)+)")


@pytest.mark.parametrize(("document", "dotted"), MODULES)
def test_each_module_named_exists(document, dotted):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):  # the longest module, then attributes of it
        try:
            thing = importlib.import_module(".".join(parts[:cut]))
            break
        except ModuleNotFoundError:
            continue
    for attribute in parts[cut:]:
        assert hasattr(thing, attribute), f"{document} names {dotted}"
        thing = getattr(thing, attribute)


@pytest.mark.parametrize(("document", "command"), named(r"(?<![\w/])mnistseg ([a-z][\w-]*)"))
def test_each_mnistseg_command_named_exists(document, command):
    assert command in COMMANDS, f"{document} names `mnistseg {command}`"


@pytest.mark.parametrize(("document", "target"), named(r"\bmake ([a-z][\w-]*)"))
def test_each_make_target_named_exists(document, target):
    assert target in MAKE_TARGETS, f"{document} names `make {target}`"


OPTIONS = named(r"python (benchmarks/\w+\.py|stages/\w+\.py)((?: [^\n`|]*)?)")


@pytest.mark.parametrize(("document", "script", "words"), [(d, *m) for d, m in OPTIONS])
def test_each_option_of_a_script_named_exists(document, script, words):
    source = (REPO / script).read_text()
    for option in re.findall(r"(?<!\S)(--[a-z][\w-]*)", words):
        assert f'"{option}"' in source, f"{document}: {script} has no {option}"


@pytest.mark.parametrize(("document", "link"), named(r"\]\(((?!https?:)[^)#\s]+)(?:#[^)]*)?\)"))
def test_each_link_to_a_file_of_this_repository_exists(document, link):
    where = (REPO if document == "README.md" else REPO / "docs") / link
    if document.startswith("requirements"):
        where = REPO / link
    assert where.exists(), f"{document} links to {link}"


def test_the_checks_find_what_the_documents_name():
    """A pattern that matched nothing would pass every test above."""
    assert len(PATHS) > 20 and len(FILES) > 5 and len(MODULES) > 3 and len(OPTIONS) > 2
    assert {"predict", "export"} <= {c for _, c in named(r"(?<![\w/])mnistseg ([a-z][\w-]*)")}
