"""Experiments as a team runs them, at a tiny scale: a queued seed sweep and its summary, and an
experiment shared through a git remote and a DVC remote."""

import hashlib
import json
import re
import sys

import pytest
import yaml

from conftest import copy_project
from scratch import dvc, git, run, stages_run


@pytest.fixture(scope="module")
def origin(ran_project, tmp_path_factory):
    """Clone A of a project whose results are committed, with a bare git remote `origin` and a
    folder as the default DVC remote; (clone A, the folder everything lives in)."""
    root = tmp_path_factory.mktemp("experiments")
    repo = copy_project(ran_project, root / "a")
    dvc(repo, "remote", "add", "-d", "shared", str(root / "shared-drive"))
    git(repo, "commit", "-q", "-am", "the team's DVC remote")
    git(root, "init", "-q", "--bare", "origin.git")
    git(repo, "remote", "add", "origin", str(root / "origin.git"))
    git(repo, "push", "-q", "origin", "HEAD:main")
    dvc(repo, "push")
    return repo, root


def test_seed_sweep_through_the_queue_and_its_summary(origin, tmp_path):
    repo, _ = origin
    dvc(repo, "exp", "run", "--queue", "-S", "segnet.seed=range(1,3)")
    dvc(repo, "exp", "run", "--queue", "-S", "unet.arch=unet", "-S", "unet.depth=1")
    dvc(repo, "exp", "run", "--run-all", "-j", "1")  # what `dvc queue start` does, waiting

    summary = tmp_path / "seeds.md"
    command = [sys.executable, "-m", "mnistseg", "sweep", "--out", str(summary)]
    printed = run(command, repo).stdout
    rows = [line.split(" | ") for line in summary.read_text().splitlines()[2:]]
    assert printed == summary.read_text()
    by_variant = {(r[0].strip("| "), r[1], r[2]): r for r in rows}
    # Seeds 1 and 2 from the queue, seed 0 from the commit; circlenet ran once (seed 0),
    # however many experiments carried it along.
    assert by_variant["segnet", "defaults", "mean_iou"][3] == "0,1,2"
    assert "±" in by_variant["segnet", "defaults", "mean_iou"][4]
    assert by_variant["circlenet", "defaults", "gated_iou"][3] == "0"
    assert by_variant["unet", "unet.arch=unet, unet.depth=1", "mean_dice"][3] == "0"
    assert by_variant["unet", "defaults", "mean_dice"][3] == "0"


def test_a_teammate_pulls_and_applies_a_shared_experiment(origin, tmp_path):
    repo, root = origin
    dvc(repo, "exp", "run", "-n", "two-epochs", "-S", "epochs=2")
    shared_metrics = {m: (repo / f"metrics/{m}.json").read_text() for m in ("segnet", "unet")}
    dvc(repo, "exp", "push", "origin", "two-epochs")  # git refs to origin, outputs to `shared`

    clone_b = tmp_path / "b"
    git(tmp_path, "clone", "-q", "-b", "main", str(root / "origin.git"), str(clone_b))
    dvc(clone_b, "exp", "pull", "origin", "two-epochs")
    shown = json.loads(dvc(clone_b, "exp", "show", "--json").stdout)
    names = [exp.get("name") for commit in shown for exp in commit.get("experiments") or []]
    assert "two-epochs" in names

    dvc(clone_b, "exp", "apply", "two-epochs")
    for model, text in shared_metrics.items():
        assert (clone_b / f"metrics/{model}.json").read_text() == text
    assert "epochs: 2" in (clone_b / "params.yaml").read_text()
    # The outputs came with it: nothing to recompute, and the model is the one A trained.
    assert "up to date" in dvc(clone_b, "status").stdout
    assert (clone_b / "models/segnet.pt").read_bytes() == (repo / "models/segnet.pt").read_bytes()


def test_the_way_back_from_a_failed_experiment_is_the_errors_own_advice(origin):
    repo, _ = origin
    failed = dvc(repo, "exp", "run", "-S", "epochs=-1", check=False)
    assert failed.returncode != 0
    error = next(line for line in failed.stderr.splitlines() if line.startswith("error: "))
    assert "epochs: input should be greater than or equal to 1, got -1" in error
    # DVC leaves the bad value in params.yaml: every later run would stop on it.
    assert "epochs: -1" in (repo / "params.yaml").read_text()
    assert dvc(repo, "repro", check=False).returncode != 0
    advice = re.search(r"`(git checkout [^`]+)`", error).group(1)
    run(advice.split(), repo)
    again = dvc(repo, "repro")
    # The run-cache gave back what the failure removed; nothing retrains (the stages whose
    # metrics git tracks, outside the run-cache, rescore in seconds).
    assert not [stage for stage in stages_run(again.stdout) if stage.startswith("train@")]
    assert "up to date" in dvc(repo, "status").stdout
    assert git(repo, "status", "--porcelain").stdout == ""


def test_a_teammate_gets_a_registered_model_by_name(origin, tmp_path):
    repo, root = origin
    git(repo, "tag", "-a", "segnet@v1.0.0", "-m", "segnet, the assignment's, 1 epoch")
    git(repo, "push", "-q", "origin", "segnet@v1.0.0")
    git(root / "origin.git", "symbolic-ref", "HEAD", "refs/heads/main")  # as a host's default
    out = tmp_path / "segnet.pt"
    dvc(tmp_path, "artifacts", "get", str(root / "origin.git"), "segnet", "-o", str(out))
    lock = yaml.safe_load(git(repo, "show", "segnet@v1.0.0:dvc.lock").stdout)
    outs = lock["stages"]["train@segnet"]["outs"]
    md5 = next(entry["md5"] for entry in outs if entry["path"] == "models/segnet.pt")
    assert hashlib.md5(out.read_bytes()).hexdigest() == md5
