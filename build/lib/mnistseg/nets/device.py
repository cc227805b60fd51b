"""Where the networks run: the device params.yaml picks, and what suits each kind of device.

The same code runs on the CPU, on CUDA and on Apple's MPS; what differs is chosen here, once
per device: the memory format of image batches, how many pixels an inference batch holds, and
on CUDA the settings that PyTorch's reproducibility notes give for deterministic kernels, so
that the same params give byte-identical checkpoints rerun after rerun on one GPU, as they do
on one CPU.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

import torch
import torch.utils.deterministic

from mnistseg.errors import ParamError
from mnistseg.params import Section

DEVICES = ("auto", "cpu", "cuda", "mps")
# cuBLAS reduces in a fixed order only with a fixed workspace (PyTorch's reproducibility notes);
# it is read when cuBLAS first runs, so it is set before any CUDA work.
CUBLAS_WORKSPACE_CONFIG = ":4096:8"


class DeviceParams(Section):
    """`device` at the top of params.yaml, read by every stage that runs a network."""

    device: Literal[DEVICES]  # auto: CUDA, then MPS, then the CPU


@dataclass(frozen=True)
class Placement:
    """A device and what suits it."""

    device: torch.device
    # channels-last: oneDNN's CPU kernels (pooling above all) run faster on it; on a GPU these
    # small networks run faster in the default layout.
    memory_format: torch.memory_format
    # Pixels an inference batch holds: on the CPU larger batches spill its caches; a GPU takes
    # more at once, and each batch costs a wait for it. Any size gives the same predictions.
    eval_pixels: int


def select_device(name: str, params_file: str | os.PathLike = "params.yaml") -> torch.device:
    """`auto` picks CUDA, then MPS, then the CPU; any other name (DEVICES) that device, which
    must be there (else a ParamError naming `device` in `params_file`)."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps" if torch.backends.mps.is_available() else "cpu")
    missing = why_missing(name)
    if missing:
        raise ParamError(
            f"{params_file}: device is {name}, but {missing}: set `device: auto` or `device: cpu`"
        )
    return torch.device(name)


def why_missing(name: str) -> str | None:
    """Why this machine cannot run on device `name`, or None if it can."""
    version = f"PyTorch {torch.__version__}"
    if name == "cuda" and not torch.cuda.is_available():
        if torch.version.cuda is None:
            return f"{version} is built without CUDA"
        return f"{version} finds no CUDA GPU on this machine"
    if name == "mps" and not torch.backends.mps.is_available():
        return f"{version} finds no Apple MPS device on this machine"
    return None


def use_deterministic_cuda() -> None:
    """Deterministic CUDA kernels for this process, as PyTorch's reproducibility notes say:
    deterministic algorithms, a fixed cuBLAS workspace, no cuDNN autotuning; and full float32
    (no TF32), the precision the CPU computes in."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", CUBLAS_WORKSPACE_CONFIG)
    torch.use_deterministic_algorithms(True)
    # Deterministic mode also fills every new tensor with NaN, in case a kernel reads memory it
    # never wrote; none here does, and the notes advise turning it off for speed then.
    torch.utils.deterministic.fill_uninitialized_memory = False
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.conv.fp32_precision = "ieee"
    torch.backends.cuda.matmul.fp32_precision = "ieee"


def placement(device: torch.device) -> Placement:
    """What suits `device`; on CUDA, this process uses deterministic kernels from now on."""
    if device.type == "cuda":
        use_deterministic_cuda()
    if device.type == "cpu":
        return Placement(device, torch.channels_last, eval_pixels=1 << 18)
    return Placement(device, torch.contiguous_format, eval_pixels=1 << 21)
