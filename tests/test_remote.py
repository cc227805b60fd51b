"""Sharing one remote cache: push from one clone, pull into another, recompute nothing."""

import hashlib
from pathlib import Path

import pytest

from conftest import copy_project
from mnistseg.nets.models import MODELS
from scratch import dvc, git, stages_run

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def clone_a(ran_project, tmp_path_factory):
    """Clone A: the built project with a folder as the team's DVC remote, its results and
    its run-cache pushed."""
    root = tmp_path_factory.mktemp("remote")
    repo = copy_project(ran_project, root / "a")
    dvc(repo, "remote", "add", "-d", "shared", str(root / "shared-drive"))
    git(repo, "commit", "-q", "-am", "the team's DVC remote")
    dvc(repo, "push", "--run-cache")
    return repo


def tree_digest(
    repo: Path, folders=("data", "models", "metrics", "plots", "dvclive")
) -> dict[str, str]:
    """md5 of every file under the project's output folders, by relative path."""
    digests = {}
    for folder in folders:
        for path in sorted((repo / folder).rglob("*")):
            if path.is_file():
                digests[str(path.relative_to(repo))] = hashlib.md5(path.read_bytes()).hexdigest()
    return digests


def assert_complete_and_up_to_date(clone: Path, original: Path) -> None:
    status = dvc(clone, "status").stdout
    assert "up to date" in status, status
    assert stages_run(dvc(clone, "repro").stdout) == []
    assert tree_digest(clone) == tree_digest(original)


def test_pull_gives_a_teammate_everything(clone_a, tmp_path):
    clone_b = tmp_path / "b"
    git(tmp_path, "clone", "-q", str(clone_a), str(clone_b))
    assert not (clone_b / "models" / "segnet.pt").exists()
    dvc(clone_b, "pull")
    assert_complete_and_up_to_date(clone_b, clone_a)


def test_run_cache_restores_instead_of_retraining(clone_a, tmp_path):
    clone_c = tmp_path / "c"
    git(tmp_path, "clone", "-q", str(clone_a), str(clone_c))
    # The same code and params, but no dvc.lock or outputs: the project's first commit, with
    # the remote added.
    git(clone_c, "checkout", "-q", "HEAD~2")
    dvc(clone_c, "remote", "add", "-d", "--local", "shared", str(clone_a.parent / "shared-drive"))
    assert not (clone_c / "dvc.lock").exists()
    output = dvc(clone_c, "repro", "--pull").stdout
    # Stages whose outputs are all cached come back from the run-cache; the cheap ones that
    # write git-tracked metrics (cache: false, outside the run-cache) run again.
    assert sorted(stages_run(output)) == sorted(
        [*(f"evaluate@{model}" for model in MODELS), "video", "bench_summary"]
    ), output
    assert "Stage 'train@circlenet' is cached - skipping run" in output
    restored = ("data", "models", "dvclive")
    assert tree_digest(clone_c, restored) == tree_digest(clone_a, restored)
    for model in MODELS:
        metrics = f"metrics/{model}.json"
        assert (clone_c / metrics).read_text() == (clone_a / metrics).read_text()
