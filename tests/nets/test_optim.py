"""The hand-made Adam steps as torch.optim.Adam does, to the bit, and keeps the compiler out."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from mnistseg.nets.networks import ModelConfig, build_model
from mnistseg.nets.optim import Adam
from mnistseg.nets.training import compute_loss


def train_steps(make_optimizer, steps: int = 12) -> torch.nn.Module:
    """CirclizationCNN after a few steps on seeded random data; every param gets gradients."""
    torch.manual_seed(0)
    cfg = ModelConfig(task="circle", arch="circlization_cnn", width=4)
    model = build_model(cfg).to(memory_format=torch.channels_last)
    optimizer = make_optimizer(model.parameters())
    data = torch.Generator().manual_seed(1)
    for _ in range(steps):
        x = torch.rand(8, 1, 28, 28, generator=data)
        masks = (torch.rand(8, 1, 28, 28, generator=data) > 0.5).float()
        labels = torch.randint(0, 10, (8,), generator=data)
        loss = compute_loss(model(x), (x, masks, labels))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return model


@pytest.mark.parametrize("fused", [True, False, None])
def test_adam_steps_as_torch_optim_adam_to_the_bit(fused):
    ours = train_steps(lambda params: Adam(params, lr=1e-3, fused=fused))
    theirs = train_steps(lambda params: torch.optim.Adam(params, lr=1e-3, fused=fused))
    for mine, reference in zip(ours.parameters(), theirs.parameters(), strict=True):
        torch.testing.assert_close(mine, reference, rtol=0, atol=0)


def test_adam_skips_parameters_without_gradients():
    frozen, trained = torch.ones(3, requires_grad=True), torch.ones(3, requires_grad=True)
    optimizer = Adam([frozen, trained], lr=0.1, fused=True)
    trained.sum().backward()
    optimizer.step()
    assert torch.equal(frozen, torch.ones(3)) and bool((trained < 1).all())


def test_step_counters_are_float32_on_the_fused_kernels_device():
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        param = torch.zeros(2, device="meta")
        fused = Adam([param], lr=0.1, fused=True)
        plain = Adam([param], lr=0.1, fused=False)
    finally:
        torch.set_default_dtype(default)
    assert (fused.steps[0].dtype, fused.steps[0].device.type) == (torch.float32, "meta")
    assert (plain.steps[0].dtype, plain.steps[0].device.type) == (torch.float32, "cpu")


def test_training_does_not_import_the_compiler():
    """torch.optim's classes import torch._dynamo; the hand-made Adam does not."""
    code = (
        "import sys, torch\n"
        "from mnistseg.nets.networks import ModelConfig, build_model\n"
        "from mnistseg.nets.training import Adam\n"
        "model = build_model(ModelConfig(task='segment', arch='simple_segnet', width=4))\n"
        "optimizer = Adam(model.parameters(), lr=1e-3, fused=True)\n"
        "model(torch.rand(2, 1, 28, 28)).sum().backward()\n"
        "optimizer.step()\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_training_builds_the_hand_made_adam():
    from mnistseg.data.arrays import ModelSplit
    from mnistseg.nets.device import placement
    from mnistseg.nets.training import SegmentParams, prepare

    images = torch.randint(0, 255, (8, 28, 28), dtype=torch.uint8).numpy()
    data = ModelSplit(images, images, images, images, None)
    params = SegmentParams(
        arch="simple_segnet", width=2, depth=2, batch_size=4, lr=0.01, seed=0, val_fraction=0
    )
    run = prepare(data, "segment", params, placement(torch.device("cpu")))
    assert isinstance(run.optimizer, Adam)
    assert (run.optimizer.lr, run.optimizer.fused) == (0.01, True)
    assert run.optimizer.params == list(run.model.parameters())
