"""Experiments as a team runs them, at a tiny scale: a queued seed sweep and its summary, and an
experiment shared through a git remote and a DVC remote."""

import hashlib
import json
import re
import sys

import pytest
import yaml

from conftest import copy_project
from mnistseg.commands.exps import headline_columns
from mnistseg.nets.models import MODELS
from scratch import dvc, dvc_env, git, run, stages_run

pytestmark = pytest.mark.e2e
MODEL_STAGES = [f"{kind}@{m}" for kind in ("train", "evaluate") for m in MODELS]


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


@pytest.fixture(scope="module")
def two_epochs(origin):
    """The experiment `two-epochs` (`epochs: 2`) run in clone A: what it printed, and the
    files it made (the metrics, segnet's checkpoint)."""
    repo, _ = origin
    output = dvc(repo, "exp", "run", "-n", "two-epochs", "-S", "epochs=2").stdout
    made = [*(f"metrics/{m}.json" for m in MODELS), "models/segnet.pt"]
    return output, {name: (repo / name).read_bytes() for name in made}


def test_an_experiment_with_more_epochs_reruns_only_the_models(origin, two_epochs):
    repo, _ = origin
    output, _ = two_epochs
    assert sorted(stages_run(output)) == sorted(MODEL_STAGES)
    assert len((repo / "dvclive/segnet/plots/metrics/train/loss.tsv").read_text().splitlines()) == 3
    diff = json.loads(dvc(repo, "metrics", "diff", "--all", "--json").stdout)
    assert {f"metrics/{model}.json" for model in MODELS} <= set(diff)
    assert "segnet.mean_iou" in diff["metrics/segnet.json"]
    shown = dvc(repo, "exp", "show", "--csv").stdout.splitlines()[0].split(",")
    # Headline columns named by model, none prefixed with its file's path.
    assert {"epochs", *headline_columns()} <= set(shown)
    assert not [column for column in shown if column.startswith("metrics/")]


def test_the_experiments_table_fits_100_columns(origin, two_epochs):
    repo, _ = origin
    env = {**dvc_env(), "COLUMNS": "100"}
    table = run([sys.executable, "-m", "mnistseg", "exps"], repo, env=env).stdout
    lines = table.splitlines()
    assert max(map(len, lines)) <= 100, table
    header = next(line for line in lines if "Experiment" in line).split()
    # Name, one headline score per model (segnet.mean_iou, circlenet.gated_iou, unet.mean_dice),
    # then only the params that differ between the rows. Three models' fit in 100 columns;
    # with more, as many as fit, then DVC's `…` for the columns cut.
    expected = ["Experiment", *headline_columns(), "epochs"]
    cut = header[-1] == "…" and header[:-1] == expected[: len(header) - 1]
    assert header == expected or (len(MODELS) > 3 and cut), table
    if header[-1] == "epochs":
        rows = [line.split() for line in lines if re.search(r"\d\.\d{3}", line)]
        assert len(rows) >= 3 and {row[-1] for row in rows} == {"1", "2"}, table
    csv = run([sys.executable, "-m", "mnistseg", "exps", "--csv"], repo, env=env).stdout
    columns = csv.splitlines()[0].split(",")
    assert columns[3:] == [*headline_columns(), "epochs"]


def test_the_sweep_summarises_the_experiments_dvc_ran(origin, two_epochs, tmp_path):
    # The mean and spread over seeds are the sweep's own (tests/commands/test_sweep.py); here
    # it reads what DVC really keeps: the commit and the experiment `two-epochs`. DVC's queue,
    # which the docs use to run seeds, is DVC's to test.
    repo, _ = origin
    summary = tmp_path / "seeds.md"
    command = [sys.executable, "-m", "mnistseg", "sweep", "--out", str(summary)]
    printed = run(command, repo).stdout
    assert printed == summary.read_text()
    rows = [line.split(" | ") for line in summary.read_text().splitlines()[2:]]
    by_variant = {(r[0].strip("| "), r[1], r[2]): r for r in rows}
    for model, score in (("segnet", "mean_iou"), ("circlenet", "gated_iou"), ("unet", "mean_dice")):
        for variant in ("defaults", "epochs=2"):
            assert by_variant[model, variant, score][3] == "0", (model, variant)
    # The experiment's own score, as its run wrote it, is the sweep's.
    segnet = json.loads(two_epochs[1]["metrics/segnet.json"])["segnet"]["mean_iou"]
    assert by_variant["segnet", "epochs=2", "mean_iou"][4].startswith(f"{segnet:.4f}")


def test_a_teammate_pulls_and_applies_a_shared_experiment(origin, two_epochs, tmp_path):
    repo, root = origin
    _, made = two_epochs
    dvc(repo, "exp", "push", "origin", "two-epochs")  # git refs to origin, outputs to `shared`

    clone_b = tmp_path / "b"
    git(tmp_path, "clone", "-q", "-b", "main", str(root / "origin.git"), str(clone_b))
    dvc(clone_b, "exp", "pull", "origin", "two-epochs")
    shown = json.loads(dvc(clone_b, "exp", "show", "--json").stdout)
    names = [exp.get("name") for commit in shown for exp in commit.get("experiments") or []]
    assert "two-epochs" in names

    dvc(clone_b, "exp", "apply", "two-epochs")
    for name, content in made.items():  # the model is the one A trained
        assert (clone_b / name).read_bytes() == content, name
    assert "epochs: 2" in (clone_b / "params.yaml").read_text()
    # The outputs came with it: nothing to recompute.
    assert "up to date" in dvc(clone_b, "status").stdout


def test_the_way_back_from_a_failed_experiment_is_the_errors_own_advice(origin):
    repo, _ = origin
    # One stage is enough to fail on it (and to have its outputs removed by DVC).
    failed = dvc(repo, "exp", "run", "-S", "epochs=-1", "train@segnet", check=False)
    assert failed.returncode != 0
    error = next(line for line in failed.stderr.splitlines() if line.startswith("error: "))
    assert "epochs: input should be greater than or equal to 1, got -1" in error
    # DVC leaves the bad value in params.yaml: every later run would stop on it.
    assert "epochs: -1" in (repo / "params.yaml").read_text()
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
