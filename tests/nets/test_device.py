"""The device: chosen by params.yaml, what suits it, and on CUDA deterministic kernels.

The tests marked `cuda` run where CUDA is (`pytest -m cuda`) and are skipped elsewhere.
"""

import os

import numpy as np
import pytest
import torch
import torch.utils.deterministic

from conftest import load_stage, model_of, write_params
from mnistseg.data.arrays import ModelSplit
from mnistseg.errors import ParamError
from mnistseg.nets.device import DeviceParams, placement, select_device
from mnistseg.nets.inference import predict
from mnistseg.nets.networks import build_network
from mnistseg.nets.training import fit, prepare, set_seeds
from mnistseg.params import validate_section

CPU = torch.device("cpu")


def test_auto_picks_cuda_then_mps_then_the_cpu(monkeypatch):
    for cuda, mps, expected in [(True, True, "cuda"), (False, True, "mps"), (False, False, "cpu")]:
        monkeypatch.setattr(torch.cuda, "is_available", lambda cuda=cuda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda mps=mps: mps)
        assert select_device("auto").type == expected
    assert select_device("cpu") == CPU
    with pytest.raises(ParamError, match="device: input should be 'auto', 'cpu', 'cuda' or 'mps'"):
        validate_section(DeviceParams, {"device": "tpu"}, None, "params.yaml")


@pytest.mark.parametrize("name", ["cuda", "mps"])
def test_a_device_that_is_not_there_is_one_line_naming_it(monkeypatch, name):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    with pytest.raises(ParamError) as raised:
        select_device(name, "my/params.yaml")
    message = str(raised.value)
    assert message.startswith(f"my/params.yaml: device is {name}, but PyTorch ")
    assert message.endswith("set `device: auto` or `device: cpu`")
    assert "\n" not in message


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
@pytest.mark.parametrize("stage", ["train", "evaluate"])
def test_device_cuda_without_cuda_stops_the_stage_with_one_line(tmp_path, capsys, stage):
    params = write_params(tmp_path, {"device": "cuda"})
    paths = {
        "train": ["--dataset", "x", "--out", "m.pt", "--live", "live"],
        "evaluate": ["--checkpoint", "m.pt", "--dataset", "x", "--metrics", "m", "--plots", "p"],
    }[stage]
    with pytest.raises(SystemExit) as exited:
        load_stage(stage).main(["--params", str(params), "--model", "segnet", *paths])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {params}: device is cuda, but PyTorch ")
    assert err.count("\n") == 1
    assert not (tmp_path / "m.pt").exists()


def test_what_suits_the_cpu():
    place = placement(CPU)
    assert (place.memory_format, place.eval_pixels) == (torch.channels_last, 1 << 18)


@pytest.fixture
def restored(monkeypatch):
    """The process-wide settings that CUDA's placement changes, put back after the test."""
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    before = torch.are_deterministic_algorithms_enabled()
    fill = torch.utils.deterministic.fill_uninitialized_memory
    benchmark = torch.backends.cudnn.benchmark
    conv = torch.backends.cudnn.conv.fp32_precision
    matmul = torch.backends.cuda.matmul.fp32_precision
    yield
    torch.use_deterministic_algorithms(before)
    torch.utils.deterministic.fill_uninitialized_memory = fill
    torch.backends.cudnn.benchmark = benchmark
    torch.backends.cudnn.conv.fp32_precision = conv
    torch.backends.cuda.matmul.fp32_precision = matmul


def test_cuda_asks_for_deterministic_kernels(restored):
    """None of these settings needs a GPU to be made (and checked)."""
    torch.use_deterministic_algorithms(False)
    torch.backends.cudnn.benchmark = True
    place = placement(torch.device("cuda"))
    assert torch.are_deterministic_algorithms_enabled()
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
    assert torch.backends.cudnn.benchmark is False
    assert torch.backends.cudnn.conv.fp32_precision == "ieee"
    assert torch.backends.cuda.matmul.fp32_precision == "ieee"
    assert torch.utils.deterministic.fill_uninitialized_memory is False
    assert (place.memory_format, place.eval_pixels) == (torch.contiguous_format, 1 << 21)


def test_a_cublas_workspace_the_user_set_is_kept(restored, monkeypatch):
    monkeypatch.setenv("CUBLAS_WORKSPACE_CONFIG", ":16:8")
    placement(torch.device("cuda"))
    assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":16:8"


def test_the_cpu_keeps_pytorchs_settings(restored):
    torch.use_deterministic_algorithms(False)
    placement(CPU)
    assert not torch.are_deterministic_algorithms_enabled()
    assert "CUBLAS_WORKSPACE_CONFIG" not in os.environ


def test_mps_takes_the_default_layout_and_large_batches(restored):
    torch.use_deterministic_algorithms(False)
    place = placement(torch.device("mps"))
    assert not torch.are_deterministic_algorithms_enabled()
    assert (place.memory_format, place.eval_pixels) == (torch.contiguous_format, 1 << 21)


# On CUDA -----------------------------------------------------------------------------------


@pytest.fixture
def cuda(restored):
    """The CUDA device with deterministic kernels, for one test; the process's settings back
    as they were afterwards (the rest of the suite runs on the CPU)."""
    return placement(torch.device("cuda"))


def digit_split(digits, count: int) -> ModelSplit:
    images, labels = digits
    masks = ((images[:count] > 100) * 255).astype(np.uint8)
    return ModelSplit(images[:count], images[:count], masks, masks, labels[:count])


def circle_split(digits, count: int) -> ModelSplit:
    """Digits as inputs, a centred disc as the circle mask, and the labels."""
    split = digit_split(digits, count)
    yy, xx = np.mgrid[:28, :28]
    disc = (((yy - 14) ** 2 + (xx - 14) ** 2 < 81) * 255).astype(np.uint8)
    discs = np.repeat(disc[None], count, axis=0)
    return ModelSplit(split.images, split.inputs, discs, discs, split.labels)


TRAININGS = [
    ("segnet", {"arch": "simple_segnet"}),
    ("circlenet", {"arch": "circlization_cnn"}),
    ("circlenet", {"arch": "unet", "width": 4, "depth": 2}),  # batch norm, dropout, the mean
]


def short_training(digits, name: str, change: dict, place) -> dict:
    values = {"width": 8, "batch_size": 16, "lr": 0.003, "seed": 3, "val_fraction": 0.1}
    params = model_of(name, **{**values, **change})
    data = circle_split(digits, 128) if name == "circlenet" else digit_split(digits, 128)
    set_seeds(params.seed)
    run = prepare(data, params, place)
    assert run.train_set.inputs.device.type == place.device.type  # held on the device
    epochs = list(fit(run, epochs=2))
    state = {k: v.cpu() for k, v in run.network.state_dict().items()}
    return {"state": state, "losses": [(e.train_loss, e.val_loss) for e in epochs]}


@pytest.mark.cuda
@pytest.mark.parametrize(("name", "change"), TRAININGS, ids=[t[1]["arch"] for t in TRAININGS])
def test_two_trainings_with_one_seed_are_bit_identical_on_cuda(digits, cuda, name, change):
    first = short_training(digits, name, change, cuda)
    again = short_training(digits, name, change, cuda)
    assert first["losses"] == again["losses"]
    for name, tensor in first["state"].items():
        assert torch.equal(tensor, again["state"][name]), name


# A checkpoint predicts on the CPU and on CUDA from sums taken in other orders (float32 both,
# no TF32): a logit within rounding of 0 may land on the other side. At most 1 pixel in 10,000.
MOST_PIXELS_APART = 1e-4


@pytest.mark.cuda
def test_one_checkpoint_predicts_the_same_masks_on_cpu_and_cuda(digits, cuda):
    params = model_of("circlenet", width=8, batch_size=16, lr=0.003, seed=0, val_fraction=0.0)
    on_cpu = placement(CPU)
    set_seeds(0)
    run = prepare(circle_split(digits, 200), params, on_cpu)
    list(fit(run, epochs=2))
    state = run.network.state_dict()
    test = circle_split(digits, 200)
    predictions = []
    for place in (on_cpu, cuda):
        network = build_network(params)
        network.load_state_dict(state)
        network = network.to(place.device).to(memory_format=place.memory_format)
        predictions.append(predict(network, params, test.inputs, place))
    cpu_pred, cuda_pred = predictions
    np.testing.assert_array_equal(cpu_pred.labels, cuda_pred.labels)
    apart = int((cpu_pred.masks != cuda_pred.masks).sum())
    assert apart <= MOST_PIXELS_APART * cpu_pred.masks.size, apart


def test_cuda_asked_for_where_there_is_none_says_why_in_params_yaml(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.version, "cuda", None)
    with pytest.raises(ParamError, match=r"^params.yaml: device is cuda, but .* built without"):
        select_device("cuda")
    monkeypatch.setattr(torch.version, "cuda", "13.0")
    with pytest.raises(ParamError, match=r"^params.yaml: device is cuda, but .* finds no CUDA"):
        select_device("cuda")


def test_a_placement_is_on_its_device():
    meta = torch.device("meta")
    assert placement(meta).device == meta and placement(CPU).device == CPU
