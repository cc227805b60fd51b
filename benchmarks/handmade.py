"""Switches between stock code and the hand-made replacements the pipeline once used, for timing.

A hand-made replacement of stock PyTorch or glibc behaviour is kept only if it saves at least
5% of a fresh `dvc repro` at the assignment's workload (`benchmark.py --handmade` measures it;
the README keeps the table). Each switch flips one of them against the pipeline as committed:

    adam        in: Adam's update through torch's functional `torch.optim.adam.adam` (no
                torch.optim class, so no import of torch._dynamo, which each of them makes),
                for the pipeline's torch.optim.Adam(fused=True)
    upconv      in: the 2x2, stride-2 transposed convolution as one matrix product, for
                nn.ConvTranspose2d
    no-mallopt  out: the training stage's mnistseg.heap.keep_freed_memory (glibc's mallopt),
                the one replacement kept; glibc's malloc as it comes

The dropped ones live here, not in the library: they tie the code to internals of the pinned
torch. `install(names)` flips them for the process that calls it: the benchmark writes a
`sitecustomize.py` into its scratch project's `src/` (every stage's PYTHONPATH) that calls it.
The patches wait for the module they change to be imported, so no stage imports more.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from collections.abc import Callable, Iterable

SWITCHES = ("adam", "upconv", "no-mallopt")


def adam_class():
    """An optimizer with torch.optim.Adam's signature and update, but no torch.optim class."""
    import torch
    from torch.optim.adam import adam

    class Adam:
        """Adam (default betas and eps, no weight decay) through torch's functional API, with
        the state torch.optim.Adam keeps: the weights after each step are the same to the bit."""

        def __init__(self, params: Iterable[torch.Tensor], lr: float, fused: bool | None = None):
            self.params = list(params)
            self.lr, self.fused = lr, fused
            self.exp_avgs = [torch.zeros_like(p) for p in self.params]
            self.exp_avg_sqs = [torch.zeros_like(p) for p in self.params]
            # As torch.optim.Adam keeps them: on the parameter's device for the fused kernel.
            self.steps = [
                torch.zeros((), dtype=torch.float32, device=p.device if fused else "cpu")
                for p in self.params
            ]

        def zero_grad(self, set_to_none: bool = True) -> None:
            for param in self.params:
                param.grad = None

        @torch.no_grad()
        def step(self) -> None:
            have = [i for i, param in enumerate(self.params) if param.grad is not None]
            adam(
                [self.params[i] for i in have],
                [self.params[i].grad for i in have],
                [self.exp_avgs[i] for i in have],
                [self.exp_avg_sqs[i] for i in have],
                [],
                [self.steps[i] for i in have],
                foreach=None,
                capturable=False,
                differentiable=False,
                fused=self.fused,
                grad_scale=None,
                found_inf=None,
                has_complex=False,
                amsgrad=False,
                beta1=0.9,
                beta2=0.999,
                lr=self.lr,
                weight_decay=0.0,
                eps=1e-8,
                maximize=False,
            )

    return Adam


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


def glibc_as_it_comes() -> bool:
    """In place of mnistseg.heap.keep_freed_memory: leave malloc's thresholds alone."""
    return False


def patch_torch(names: Iterable[str]) -> Callable[[object], None]:
    """What to do to the torch module once it is imported, for the switches `names`."""
    names = set(names)

    def patch(torch) -> None:
        if "adam" in names:
            torch.optim.Adam = adam_class()
        if "upconv" in names:
            torch.nn.ConvTranspose2d = up_conv_class(torch.nn.ConvTranspose2d)

    return patch


def patch_heap(heap) -> None:
    heap.keep_freed_memory = glibc_as_it_comes


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
    """Switch the named replacements (SWITCHES) in for this process, once torch is imported."""
    names = tuple(names)
    unknown = set(names) - set(SWITCHES)
    if unknown:
        raise ValueError(f"unknown replacements {sorted(unknown)}: use {', '.join(SWITCHES)}")
    patches = {"torch": patch_torch(names)}
    if "no-mallopt" in names:
        patches["mnistseg.heap"] = patch_heap
    for module, patch in patches.items():
        if module in sys.modules:
            patch(sys.modules[module])
        else:
            sys.meta_path.insert(0, AfterImport(module, patch))


def sitecustomize(names: Iterable[str]) -> str:
    """The text of a sitecustomize.py that installs the replacements `names` from this file."""
    return (
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('handmade', {__file__!r})\n"
        "handmade = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(handmade)\n"
        f"handmade.install({tuple(names)!r})\n"
    )
