"""The benchmark's hand-made replacements compute what stock PyTorch computes, and switch in."""

import os
import subprocess
import sys

import handmade
import pytest
import torch

from mnistseg.models import ModelConfig, build_model
from mnistseg.training import compute_loss

Adam = handmade.adam_class()


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


@pytest.mark.parametrize("channels_last", [True, False])
@pytest.mark.parametrize(("c_in", "c_out"), [(16, 8), (8, 1), (3, 5)])
def test_up_conv_is_the_transposed_convolution(c_in, c_out, channels_last):
    torch.manual_seed(0)
    ours = handmade.up_conv_class(torch.nn.ConvTranspose2d)(c_in, c_out, 2, stride=2)
    theirs = torch.nn.ConvTranspose2d(c_in, c_out, 2, stride=2)
    theirs.load_state_dict(ours.state_dict())  # the same parameters, by the same names
    x = torch.randn(4, c_in, 7, 6)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    results = []
    for net in (ours, theirs):
        net.zero_grad()
        inputs = x.clone().requires_grad_()
        out = net(inputs)
        (out * torch.linspace(0.5, 1.5, out.numel()).view_as(out)).sum().backward()
        results.append([out, inputs.grad, net.weight.grad, net.bias.grad])
    assert results[0][0].shape == (4, c_out, 14, 12)
    for mine, reference in zip(*results, strict=True):
        torch.testing.assert_close(mine, reference, rtol=1e-5, atol=1e-5)
    unbatched = x[0]
    torch.testing.assert_close(ours(unbatched), theirs(unbatched), rtol=1e-5, atol=1e-5)


def test_up_conv_leaves_other_transposed_convolutions_to_torch():
    torch.manual_seed(0)
    ours = handmade.up_conv_class(torch.nn.ConvTranspose2d)(3, 4, 3, stride=2, padding=1)
    x = torch.randn(2, 3, 5, 5)
    reference = torch.nn.functional.conv_transpose2d(x, ours.weight, ours.bias, 2, 1)
    torch.testing.assert_close(ours(x), reference)


def run_python(code: str, site: os.PathLike | None = None) -> str:
    env = dict(os.environ)
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_the_sitecustomize_switches_them_in_once_torch_is_imported(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(handmade.sitecustomize(("adam", "upconv")))
    assert run_python("import sys; print('torch' in sys.modules)", tmp_path) == "False"
    probe = (
        "import sys, torch\n"
        "model = torch.nn.Sequential(torch.nn.ConvTranspose2d(2, 1, 2, stride=2))\n"
        "optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)\n"
        "model(torch.rand(1, 2, 3, 3)).sum().backward()\n"
        "optimizer.step()\n"
        "print(type(optimizer).__module__, type(model[0]).__name__, "
        "'torch._dynamo' in sys.modules)\n"
    )
    # The hand-made Adam never imports the compiler, which every torch.optim class does.
    assert run_python(probe, tmp_path) == "handmade UpConv False"
    assert run_python(probe).startswith("torch.optim.adam ConvTranspose2d")


def test_no_mallopt_leaves_the_heap_alone(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(handmade.sitecustomize(("no-mallopt",)))
    probe = "import sys, mnistseg.heap as h; print(h.keep_freed_memory(), 'torch' in sys.modules)"
    assert run_python(probe, tmp_path) == "False False"


def test_an_unknown_switch_is_named():
    with pytest.raises(ValueError, match=r"unknown replacements \['sgd'\]: use adam, upconv, no-"):
        handmade.install(["sgd"])
