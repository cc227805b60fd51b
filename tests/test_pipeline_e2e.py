"""The whole pipeline through `dvc repro`, at a tiny scale, checked as a user would."""

import numpy as np
import pytest
import yaml

from e2e import dvc, git, make_project, stages_run

DATA_STAGES = ["download", "otsu", "circles", "composites"]


@pytest.fixture(scope="module")
def project(tiny_mnist, tmp_path_factory):
    root = make_project(
        tmp_path_factory.mktemp("e2e") / "project",
        {"data": {"source": str(tiny_mnist)}, "composites": {"train": 40, "test": 12}},
    )
    first = dvc(root, "repro")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "repro")
    return root, first.stdout


def test_stage_names(project):
    root, _ = project
    listed = dvc(root, "stage", "list").stdout.split("\n")
    names = [line.split()[0] for line in listed if line.strip()]
    assert names[: len(DATA_STAGES)] == DATA_STAGES


def test_first_repro_builds_every_dataset(project):
    root, output = project
    for stage in DATA_STAGES:
        assert stage in stages_run(output)
    assert np.load(root / "data/otsu/train/masks.npy").shape == (300, 28, 28)
    assert np.load(root / "data/circles/test/masks.npy").shape == (100, 28, 28)
    assert np.load(root / "data/composites/train/images.npy").shape == (40, 56, 56)
    assert np.load(root / "data/composites/test/masks.npy").shape == (12, 56, 56)
    for preview in ("otsu", "circles", "composites"):
        assert (root / "plots" / f"{preview}.png").stat().st_size > 0


def test_second_repro_runs_nothing(project):
    root, _ = project
    output = dvc(root, "repro").stdout
    assert stages_run(output) == []
    assert "up to date" in output


def test_changed_composites_param_reruns_only_downstream(project):
    root, _ = project
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["composites"]["train"] = 41
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    ran = stages_run(dvc(root, "repro").stdout)
    assert "composites" in ran
    assert not set(ran) & {"download", "otsu", "circles"}
    assert np.load(root / "data/composites/train/images.npy").shape == (41, 56, 56)
    git(root, "checkout", "params.yaml")
    dvc(root, "checkout", "-q")
