"""The whole pipeline through `dvc repro`, at a tiny scale, checked as a user would."""

import json
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import copy_project, tracked_outputs
from mnistseg.nets.models import MODELS
from scratch import dvc, dvc_env, git, make_project, run, stages_run

pytestmark = pytest.mark.e2e
DATA_STAGES = ["download", "otsu", "circles", "composites"]
MODEL_STAGES = [f"{kind}@{m}" for kind in ("train", "evaluate") for m in MODELS]


@pytest.fixture(scope="module")
def project(built, tmp_path_factory):
    """A copy of the session's built project (these tests change it), and what its first
    `dvc repro` printed."""
    return copy_project(built.root, tmp_path_factory.mktemp("e2e") / "project"), built.output


def test_stage_names(project):
    root, _ = project
    listed = dvc(root, "stage", "list").stdout.split("\n")
    names = [line.split()[0] for line in listed if line.strip()]
    assert names[: len(DATA_STAGES)] == DATA_STAGES
    assert sorted(names[len(DATA_STAGES) :]) == sorted(
        [*MODEL_STAGES, "video_source", "video", "bench_summary"]  # no sequence: no bench pairs
    )


def test_first_repro_builds_every_dataset(project):
    root, output = project
    for stage in DATA_STAGES:
        assert stage in stages_run(output)
    assert np.load(root / "data/otsu/train/masks.npy").shape == (300, 28, 28)
    assert np.load(root / "data/circles/test/masks.npy").shape == (100, 28, 28)
    assert np.load(root / "data/composites/train/images.npy").shape == (24, 56, 56)
    assert np.load(root / "data/composites/test/masks.npy").shape == (8, 56, 56)
    for preview in ("otsu", "circles", "composites"):
        assert (root / "plots" / f"{preview}.png").stat().st_size > 0


def test_first_repro_trains_and_scores_every_model(project):
    root, output = project
    assert set(MODEL_STAGES) <= set(stages_run(output))
    expected = {"segnet": "mean_iou", "circlenet": "gated_iou", "unet": "mean_dice"}
    for model, key in expected.items():
        metrics = json.loads((root / "metrics" / f"{model}.json").read_text())[model]
        assert 0.0 <= metrics[key] <= 1.0
        assert (root / "models" / f"{model}.pt").is_file()
        assert (root / "dvclive" / model / "plots/metrics/train/loss.tsv").is_file()
        assert (root / "plots" / model / "predictions.png").is_file()
    circlenet = json.loads((root / "metrics/circlenet.json").read_text())["circlenet"]
    assert 0.0 <= circlenet["accuracy"] <= 1.0
    assert (root / "plots/circlenet/confusion.csv").read_text().startswith("actual,predicted")


def test_video_stages_composite_the_rendered_clip(project):
    root, output = project
    assert {"video_source", "video"} <= set(stages_run(output))
    scores = json.loads((root / "data/video/scores.json").read_text())
    assert (scores["frames"], scores["width"], scores["height"]) == (20, 160, 120)
    metrics = json.loads((root / "metrics/video.json").read_text())["video"]
    assert metrics["mean_iou_after_warmup"] == scores["mean_iou_after_warmup"]
    assert 0.0 <= metrics["mean_iou_after_warmup"] <= 1.0
    assert (root / "data/video/composite.mp4").stat().st_size > 0
    assert (root / "plots/video.png").stat().st_size > 0


def charts_drawn(chromium: str, page: Path) -> int:
    """How many Vega charts a headless Chromium draws on `page`, every request refused."""
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=15000",
         "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",  # no network at all
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    return dom.count('class="marks"')  # the canvas (or svg) each Vega view draws into


def test_the_plots_page_draws_with_no_network(project, tmp_path):
    chromium = next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)
    if chromium is None:
        pytest.skip("no Chromium here (apt-get install chromium)")
    root, _ = project  # as a clone: the committed .dvc/config and template, nothing run
    dvc(root, "plots", "show", "-o", str(tmp_path / "offline"))
    dvc(root, "config", "--unset", "plots.html_template")
    dvc(root, "plots", "show", "-o", str(tmp_path / "dvc-default"))  # DVC's CDN page
    git(root, "checkout", "--", ".dvc/config")

    page = (tmp_path / "offline/index.html").read_text()
    # Training and validation curves, confusion, per digit, the benchmark's F-measure.
    charts = page.count("vegaEmbed(")
    assert charts == 5 and "<script src" not in page
    assert charts_drawn(chromium, tmp_path / "offline/index.html") == charts
    assert charts_drawn(chromium, tmp_path / "dvc-default/index.html") == 0  # blank offline


def test_second_repro_runs_nothing(project):
    root, _ = project
    output = dvc(root, "repro").stdout
    assert stages_run(output) == []
    assert "up to date" in output


def test_editing_the_drawing_code_leaves_training_alone(project):
    root, _ = project
    preview = root / "src/mnistseg/pictures.py"
    original = preview.read_text()
    preview.write_text(
        original.replace("TRUE_POSITIVE = (255, 255, 255)", "TRUE_POSITIVE = (250, 250, 250)")
    )
    try:
        changed = json.loads(dvc(root, "status", "--json").stdout)
    finally:
        preview.write_text(original)
    assert not [stage for stage in changed if stage.startswith("train@")], changed
    assert {"otsu", "circles", "composites", "evaluate@segnet", "video"} <= set(changed)


def test_a_forced_rerun_is_byte_identical(project, built):
    root, _ = project
    ran = stages_run(dvc(root, "repro", "-f", "--no-run-cache").stdout)
    assert set(MODEL_STAGES) <= set(ran)
    assert tracked_outputs(root) == built.tracked
    assert {"dvc.lock", "metrics/video.json", "metrics/segnet.json"} <= set(built.tracked)


def test_changed_composites_param_reruns_only_downstream(project):
    root, _ = project
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["composites"]["train"] = 25
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    ran = stages_run(dvc(root, "repro").stdout)
    assert sorted(ran) == ["composites", "evaluate@unet", "train@unet"]
    assert np.load(root / "data/composites/train/images.npy").shape == (25, 56, 56)
    git(root, "checkout", "--", ".")
    dvc(root, "checkout", "-q")


def environment_with_library_of(clone: Path, tmp_path: Path) -> Path:
    """A virtual environment whose installed `mnistseg` is `clone`'s (the path entry an
    editable install writes), seeing this interpreter's packages: one environment, two clones.
    """
    env_dir = tmp_path / "shared-env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    show = "import site; print(site.getsitepackages()[0])"
    scripts = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    packages = run([str(scripts / "python"), "-c", show], tmp_path).stdout.strip()
    entries = [*site.getsitepackages(), str(clone / "src")]
    (Path(packages) / "editable-mnistseg.pth").write_text("\n".join(entries) + "\n")
    return scripts


def test_each_checkout_runs_its_own_library(tiny_mnist, tmp_path):
    overrides = {"data": {"source": [str(tiny_mnist)]}}
    clone_a = make_project(tmp_path / "a", overrides)
    clone_b = make_project(tmp_path / "b", overrides)
    bin_dir = environment_with_library_of(clone_a, tmp_path)
    env = dvc_env(bin_dir)
    python = str(bin_dir / "python")
    installed = run([python, "-c", "import mnistseg; print(mnistseg.__file__)"], tmp_path, env=env)
    assert installed.stdout.startswith(str(clone_a))  # the environment's library is A's
    library = clone_b / "src/mnistseg/data/sources.py"
    library.write_text(library.read_text() + '\nprint("library of clone b")\n')
    ran_b = run([python, "-m", "dvc", "repro", "download"], clone_b, env=env)
    ran_a = run([python, "-m", "dvc", "repro", "download"], clone_a, env=env)
    assert "library of clone b" in ran_b.stdout
    assert "library of clone b" not in ran_a.stdout
