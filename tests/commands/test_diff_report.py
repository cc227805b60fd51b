"""`make pr-report`: what a commit does to the results, as the pull-request workflow posts it."""

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from conftest import copy_project
from scratch import dvc, git, run

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("make") is None, reason="no `make` here"),
]


@pytest.fixture(scope="module")
def two_commits(ran_project, tmp_path_factory):
    """A project run and committed, then run again with unet's learning rate changed."""
    root = copy_project(ran_project, tmp_path_factory.mktemp("pr-report") / "project")
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["unet"]["lr"] = 0.01
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    dvc(root, "repro")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "unet: lr 0.01")
    return root


def test_the_report_names_each_changed_metric_and_draws_the_plots(two_commits):
    root = two_commits
    venv = Path(sys.prefix)  # this interpreter's environment, as `make test` built it
    run(["make", "pr-report", "BASE=HEAD~1", "REPORT=report", f"VENV={venv}",
         "-o", str(venv / ".run-deps")], root)  # fmt: skip
    report = (root / "report" / "report.md").read_text()
    changed = json.loads(dvc(root, "metrics", "diff", "HEAD~1", "--json").stdout)
    names = [name for metrics in changed.values() for name in metrics]
    assert names and all(name.startswith("unet.") for name in names)  # unet alone retrained
    for name in names:
        assert name in report, name
    assert "unet.lr" in report.split("### Params")[1].split("### Plots")[0]
    pictures = re.findall(r"!\[[^]]*\]\(([^)]+)\)", report)
    assert any("training-loss" in p for p in pictures)
    assert not any("otsu" in p for p in pictures)  # the same in both: left out
    for picture in pictures:
        assert (root / "report" / picture).stat().st_size > 0, picture
