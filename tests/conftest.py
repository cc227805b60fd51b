"""Shared fixtures: tiny digit sets drawn in the test, written as IDX .gz files."""

from __future__ import annotations

import gzip
import shutil
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

from mnistseg.data.idx import encode_idx
from mnistseg.data.sources import SPLIT_FILES
from scratch import (
    REPO,
    changed,
    committed_params,
    committed_section,
    dvc,
    git,
    make_project,
    merge,
    tiny_params,
)

SHARED_MNIST = REPO.parent / "shared" / "mnist"


def write_params(folder: Path, overrides: dict | None = None) -> Path:
    """The committed params.yaml with `overrides` (section dicts update keys), in `folder`."""
    params = merge(committed_params(), overrides or {})
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return path


def draw_digits(
    count: int, seed: int, size: int = 28, widths: tuple[int, int] = (2, 4)
) -> tuple[np.ndarray, np.ndarray]:
    """(count, size, size) uint8 images of digits drawn with OpenCV's font, strokes of a width
    in [widths[0], widths[1]), and their labels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=count).astype(np.uint8)
    images = np.zeros((count, size, size), dtype=np.uint8)
    for image, label in zip(images, labels):
        x, y = (int(v) for v in rng.integers(3, 8, size=2))
        thickness = int(rng.integers(*widths))
        cv2.putText(image, str(label), (x, size - y), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 255, thickness)
        # Soft edges and a little noise, as real scans have.
        image[:] = cv2.GaussianBlur(image, (3, 3), 0)
        image[:] = np.clip(image + rng.integers(0, 12, image.shape), 0, 255).astype(np.uint8)
    return images, labels


def write_idx_dir(folder: Path, splits: dict[str, tuple[np.ndarray, np.ndarray]]) -> Path:
    """Write each split's images and labels as the four official .gz file names."""
    folder.mkdir(parents=True, exist_ok=True)
    for split, (images, labels) in splits.items():
        images_name, labels_name = SPLIT_FILES[split]
        (folder / images_name).write_bytes(gzip.compress(encode_idx(images), mtime=0))
        (folder / labels_name).write_bytes(gzip.compress(encode_idx(labels), mtime=0))
    return folder


@pytest.fixture(scope="session")
def tiny_mnist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a 300-train / 100-test digit set in MNIST's IDX layout."""
    folder = tmp_path_factory.mktemp("tiny-mnist")
    return write_idx_dir(
        folder, {"train": draw_digits(300, seed=1), "test": draw_digits(100, seed=2)}
    )


@dataclass(frozen=True)
class Built:
    """The scratch project every end-to-end test starts from: run and committed once a
    session. Tests copy it (copy_project) before they change anything."""

    root: Path
    output: str  # what its first `dvc repro` printed
    tracked: dict[str, bytes]  # dvc.lock and metrics/*.json as that run wrote them


@pytest.fixture(scope="session")
def built(tiny_mnist: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A scratch project on the tiny digit set, run (`dvc repro`) and committed."""
    root = make_project(tmp_path_factory.mktemp("ran") / "project", tiny_params([str(tiny_mnist)]))
    output = dvc(root, "repro").stdout
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "results")
    return Built(root, output, tracked_outputs(root))


def tracked_outputs(root: Path) -> dict[str, bytes]:
    """The bytes of what git tracks of a run: dvc.lock and the metrics."""
    names = ["dvc.lock", *(p.relative_to(root).as_posix() for p in root.glob("metrics/*.json"))]
    return {name: (root / name).read_bytes() for name in sorted(names)}


@pytest.fixture(scope="session")
def ran_project(built: Built) -> Path:
    """The built project's folder (never to be changed: copy it first)."""
    return built.root


def copy_project(project: Path, root: Path) -> Path:
    """A copy of `project` (its git history and DVC cache too) at `root`."""
    shutil.copytree(project, root, symlinks=True)
    return root


@pytest.fixture(scope="session")
def digits() -> tuple[np.ndarray, np.ndarray]:
    """Real MNIST test digits when ../shared/mnist is present, else drawn ones (200 either way)."""
    if SHARED_MNIST.is_dir():
        from mnistseg.data.sources import read_local, validate_files

        test = validate_files(read_local(SHARED_MNIST))["test"]
        return np.array(test.images[:200]), np.array(test.labels[:200])
    return draw_digits(200, seed=3)


def cdnet_sequence(root: Path, frames: int = 24, empty: int = 8) -> Path:
    """A CDnet-layout sequence of a square sliding over a still scene."""
    rng = np.random.default_rng(0)
    scene = rng.integers(60, 120, size=(40, 60, 3), dtype=np.uint8)
    (root / "input").mkdir(parents=True)
    (root / "groundtruth").mkdir()
    for t in range(1, frames + 1):
        frame, mask = scene.copy(), np.zeros((40, 60), np.uint8)
        if t > empty:
            x = 2 + 3 * (t - empty)
            frame[10:22, x : x + 12] = (30, 220, 250)
            mask[10:22, x : x + 12] = 255
        cv2.imwrite(str(root / "input" / f"in{t:06d}.png"), frame)
        cv2.imwrite(str(root / "groundtruth" / f"gt{t:06d}.png"), mask)
    (root / "temporalROI.txt").write_text(f"{empty + 1} {frames}\n")
    return root


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `cuda` are skipped where CUDA is absent, with the reason."""
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU, and PyTorch finds none here")
    for item in items:
        if item.get_closest_marker("cuda"):
            item.add_marker(skip)


@pytest.fixture
def digit_masks() -> np.ndarray:
    """(3, 28, 28) bool: a vertical bar, a horizontal bar, an empty mask."""
    masks = np.zeros((3, 28, 28), bool)
    masks[0, 5:20, 10:14] = True
    masks[1, 8:12, 4:24] = True
    return masks


def load_stage(name: str):
    """Import stages/<name>.py as a module, so its main(argv) can be called in-process."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"stage_{name}", REPO / "stages" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def model_of(name: str, **changes):
    """Model `name`'s committed params.yaml section with `changes`, validated as params.yaml is."""
    from mnistseg.nets.models import MODELS

    return changed(committed_section(MODELS[name], name), name, **changes)
