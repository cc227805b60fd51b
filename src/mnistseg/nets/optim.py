"""Adam without torch.optim's class: the one hand-made replacement of stock PyTorch kept.

Every torch.optim optimizer imports torch._dynamo on construction and wraps each `step` to keep
the compiler out; no option turns that off. This class calls the function that
`torch.optim.Adam.step` calls, torch's functional `torch.optim.adam.adam`, with the same state
(moments zero, step counters float32 scalars), so the weights after each step are the same to
the bit (tested against torch.optim.Adam, fused and not). Its measured gain is in the README
(`python benchmarks/benchmark.py --handmade`); `--handmade stock-adam` times torch.optim.Adam.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch.optim.adam import adam


class Adam:
    """torch.optim.Adam's update with its default betas and eps, no weight decay."""

    def __init__(self, params: Iterable[torch.Tensor], lr: float, fused: bool | None = None):
        self.params = list(params)
        self.lr = lr
        self.fused = fused  # the fused kernel: one pass over all parameters (CPU, CUDA)
        self.exp_avgs = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sqs = [torch.zeros_like(p) for p in self.params]
        # As torch.optim.Adam keeps them: on the parameter's device for the fused kernel.
        self.steps = [
            torch.zeros((), dtype=torch.float32, device=p.device if fused else "cpu")
            for p in self.params
        ]

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop the gradients (always: `set_to_none` keeps torch.optim's signature)."""
        for param in self.params:
            param.grad = None

    @torch.no_grad()
    def step(self) -> None:
        """One Adam update of every parameter that has a gradient."""
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
