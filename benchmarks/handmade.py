"""Switches between stock code and the hand-made replacements, for timing the pipeline both ways.

A hand-made replacement of stock PyTorch or glibc behaviour is kept only if it saves at least
5% of a fresh `dvc repro` at the assignment's workload (`benchmark.py --handmade` measures it;
the README keeps the table). Each switch flips one of them against the pipeline as committed:

    stock-adam  out: the kept mnistseg.nets.optim.Adam (torch's functional Adam, no torch.optim
                class); in its place torch.optim.Adam
    upconv      in: the 2x2, stride-2 transposed convolution as one matrix product, in place
                of nn.ConvTranspose2d (dropped: it saved nothing end to end)
    mallopt     in: glibc's malloc keeps freed memory on the heap (mallopt's trim and mmap
                thresholds raised) in every process that imports mnistseg.nets.training (the
                training and evaluation stages) (dropped: under 5%)

The dropped ones live here, not in the library, with the code that checks they compute what
stock code does (tests/test_handmade.py). `install(names)` flips them for the process that
calls it: the benchmark writes a `sitecustomize.py` that calls it into a folder of its scratch
project that every stage has on its PYTHONPATH. Each patch waits for the module it changes to
be imported, so no stage imports more than it would.
"""

from __future__ import annotations

import ctypes
import importlib.abc
import importlib.util
import sys
from collections.abc import Callable, Iterable

SWITCHES = ("stock-adam", "upconv", "mallopt")

# glibc's mallopt() options (malloc.h) and the values `keep_freed_memory` sets.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
HEAP_BLOCKS_UP_TO = 32 << 20  # bytes: larger blocks still get their own mapping
KEEP_FREE_UP_TO = 256 << 20  # bytes of freed heap kept for reuse before any goes back


def keep_freed_memory() -> bool:
    """Have glibc's malloc keep freed memory for reuse; True if it could (glibc only).

    A training step allocates and frees a few MiB; glibc returns freed memory to the kernel
    until its own thresholds have grown past such blocks, so early steps get fresh pages.
    """
    if sys.platform == "win32":  # no C library to open by None, and no glibc
        return False
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:
        return False
    heap = mallopt(M_MMAP_THRESHOLD, HEAP_BLOCKS_UP_TO)
    return bool(heap and mallopt(M_TRIM_THRESHOLD, KEEP_FREE_UP_TO))


def up_conv_class(stock: type):
    """`stock` (nn.ConvTranspose2d) with the 2x2, stride-2 case computed as one matrix product.

    With a kernel as large as its stride, each input pixel owns its own 2x2 block of output
    pixels: (pixels, c_in) @ (c_in, 2*2*c_out) plus the bias, rearranged. The same sums in
    another order (the last bits can differ); the same weights and state_dict.
    """
    import torch

    class UpConv(stock):
        def forward(self, x: torch.Tensor, output_size=None) -> torch.Tensor:
            plain = (self.kernel_size, self.stride, self.padding) == ((2, 2), (2, 2), (0, 0))
            if not plain or output_size is not None or self.groups != 1 or self.bias is None:
                return super().forward(x, output_size)
            if x.dim() == 3:  # unbatched (C, H, W)
                return self.forward(x.unsqueeze(0)).squeeze(0)
            n, c_in, h, w = x.shape
            c_out = self.out_channels
            pixels = x.permute(0, 2, 3, 1).reshape(n * h * w, c_in)  # a view if channels-last
            weight = self.weight.permute(0, 2, 3, 1).reshape(c_in, 4 * c_out)
            blocks = torch.addmm(self.bias.repeat(4), pixels, weight).view(n, h, w, 2, 2, c_out)
            out = blocks.permute(0, 1, 3, 2, 4, 5).reshape(n, 2 * h, 2 * w, c_out)
            return out.permute(0, 3, 1, 2)  # (N, C, H, W), channels-last in memory

    return UpConv


def stock_adam(optim) -> None:
    """Patch for mnistseg.nets.optim: torch.optim.Adam in place of the hand-made Adam."""
    import torch

    optim.Adam = torch.optim.Adam


def hand_made_up_conv(torch) -> None:
    """Patch for torch: the matrix-product transposed convolution in place of the stock one."""
    torch.nn.ConvTranspose2d = up_conv_class(torch.nn.ConvTranspose2d)


def mallopt(_training) -> None:
    """Patch for mnistseg.nets.training: keep freed memory on the heap from then on."""
    keep_freed_memory()


# switch -> (the module it patches, the patch)
PATCHES: dict[str, tuple[str, Callable[[object], None]]] = {
    "stock-adam": ("mnistseg.nets.optim", stock_adam),
    "upconv": ("torch", hand_made_up_conv),
    "mallopt": ("mnistseg.nets.training", mallopt),
}


class AfterImport(importlib.abc.MetaPathFinder):
    """Runs `then(module)` right after the module `name` is first imported."""

    def __init__(self, name: str, then: Callable[[object], None]) -> None:
        self.name, self.then = name, then

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)  # find the real spec, and act once
        spec = importlib.util.find_spec(fullname)
        run_module = spec.loader.exec_module

        def exec_module(module) -> None:
            run_module(module)
            self.then(module)

        spec.loader.exec_module = exec_module
        return spec


def install(names: Iterable[str]) -> None:
    """Flip the named switches (SWITCHES) for this process, each once its module is imported."""
    names = tuple(names)
    unknown = set(names) - set(SWITCHES)
    if unknown:
        raise ValueError(f"unknown replacements {sorted(unknown)}: use {', '.join(SWITCHES)}")
    for name in names:
        module, patch = PATCHES[name]
        if module in sys.modules:
            patch(sys.modules[module])
        else:
            sys.meta_path.insert(0, AfterImport(module, patch))


def sitecustomize(names: Iterable[str]) -> str:
    """The text of a sitecustomize.py that flips the switches `names` from this file."""
    return (
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('handmade', {__file__!r})\n"
        "handmade = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(handmade)\n"
        f"handmade.install({tuple(names)!r})\n"
    )
