"""The benchmark's switches: the dropped replacements compute what stock code computes, and
each switch flips what the stages run."""

import os
import platform
import subprocess
import sys
from pathlib import Path

import handmade
import pytest
import torch


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


def test_keep_freed_memory_takes_effect_with_glibc_only():
    assert handmade.keep_freed_memory() is (platform.libc_ver()[0] == "glibc")


def test_the_sitecustomize_flips_each_switch_once_its_module_is_imported(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(
        handmade.sitecustomize(("stock-adam", "upconv", "mallopt"))
    )
    assert run_python("import sys; print('torch' in sys.modules)", tmp_path) == "False"
    probe = (
        "import sys, torch\n"
        "from mnistseg.nets.training import Adam\n"
        "model = torch.nn.Sequential(torch.nn.ConvTranspose2d(2, 1, 2, stride=2))\n"
        "optimizer = Adam(model.parameters(), lr=1e-3, fused=True)\n"
        "print(type(optimizer).__module__, type(model[0]).__name__)\n"
    )
    assert run_python(probe, tmp_path) == "torch.optim.adam UpConv"
    assert run_python(probe) == "mnistseg.nets.optim ConvTranspose2d"


def test_mallopt_is_set_when_training_is_imported(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(
        "import handmade\n"
        "handmade.keep_freed_memory = lambda: print('mallopt')\n"
        "handmade.install(['mallopt'])\n"
    )
    env_path = f"{tmp_path}{os.pathsep}{Path(handmade.__file__).parent}"
    code = "print('start'); import mnistseg.nets.training; print('end')"
    assert run_python(code, env_path).split() == ["start", "mallopt", "end"]


def test_an_unknown_switch_is_named():
    with pytest.raises(ValueError, match=r"unknown replacements \['sgd'\]: use stock-adam, upco"):
        handmade.install(["sgd"])
