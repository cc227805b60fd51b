import pytest
import torch
from torch import nn

from conftest import model_of
from mnistseg.nets.models import MODELS, archs
from mnistseg.nets.networks import (
    NETWORKS,
    GlobalAvgPool,
    build_network,
    checkpoint_bytes,
    network_from_checkpoint,
)

# (model, arch, picture side): every network each model can name
CASES = [
    ("segnet", "simple_segnet", 28),
    ("segnet", "unet", 28),
    ("unet", "simple_unet", 56),
    ("unet", "unet", 56),
    ("circlenet", "circlization_cnn", 28),
    ("circlenet", "unet", 28),
]


def small(name: str, arch: str):
    """Model `name` with the network `arch` at width 4 (the U-Net two levels deep)."""
    return model_of(name, arch=arch, width=4, depth=2 if arch == "unet" else None)


def test_every_arch_a_model_can_name_is_a_network():
    for model in MODELS.values():
        assert set(archs(model)) <= set(NETWORKS)
    assert {arch for model in MODELS.values() for arch in archs(model)} == set(NETWORKS)


@pytest.mark.parametrize(("name", "arch", "size"), CASES)
def test_output_shapes(name, arch, size):
    model = small(name, arch)
    out = build_network(model)(torch.rand(3, 1, size, size))
    if model.task == "circle":
        class_logits, mask_logits = out
        assert class_logits.shape == (3, 10)
        assert mask_logits.shape == (3, 1, size, size)
    else:
        assert out.shape == (3, 1, size, size)


# fmt: off
# The notebook's three networks, transcribed as written (Q2, Q3, Q4), Sigmoid included.
class NotebookSimpleSegNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                     nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.decoder = nn.Sequential(nn.ConvTranspose2d(16, 8, 2, stride=2), nn.ReLU(),
                                     nn.ConvTranspose2d(8, 1, 2, stride=2), nn.Sigmoid())
    def forward(self, x): return self.decoder(self.encoder(x))


class NotebookCirclizationCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                     nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Linear(32 * 7 * 7, 10)
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(32, 16, kernel_size=2, stride=2), nn.ReLU(),
            nn.ConvTranspose2d(16, 1, kernel_size=2, stride=2), nn.Sigmoid())
    def forward(self, x):
        x_enc = self.encoder(x)
        return self.fc(x_enc.view(x.size(0), -1)), self.decoder(x_enc)


class NotebookSimpleUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                     nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.decoder = nn.Sequential(nn.ConvTranspose2d(32, 16, 2, stride=2), nn.ReLU(),
                                     nn.ConvTranspose2d(16, 1, 2, stride=2), nn.Sigmoid())
    def forward(self, x): return self.decoder(self.encoder(x))
# fmt: on


NOTEBOOK = [
    ("segnet", "segment", 28, NotebookSimpleSegNet, 1801),
    ("circlenet", "circle", 28, NotebookCirclizationCNN, 22619),
    ("unet", "segment", 56, NotebookSimpleUNet, 6929),
]


@pytest.mark.parametrize(("model", "task", "size", "notebook", "count"), NOTEBOOK)
def test_defaults_are_the_notebooks_networks(model, task, size, notebook, count):
    torch.manual_seed(0)
    theirs = notebook().eval()
    ours = build_network(model_of(model)).eval()
    assert sum(p.numel() for p in ours.parameters()) == count
    assert sum(p.numel() for p in theirs.parameters()) == count
    # Module for module: the same layer types in the same order (the Sigmoid is in the loss).
    layers = [type(m).__name__ for m in theirs.modules() if not list(m.children())]
    expected = [name for name in layers if name != "Sigmoid"]
    assert [
        "ConvTranspose2d" if isinstance(m, nn.ConvTranspose2d) else type(m).__name__
        for m in ours.modules()
        if not list(m.children())
    ] == expected
    for (name, mine), (their_name, reference) in zip(
        ours.state_dict().items(), theirs.state_dict().items(), strict=True
    ):
        assert (name, mine.shape) == (their_name, reference.shape)
    for layer in ours.modules():  # strides, kernels and padding as the notebook's
        if isinstance(layer, nn.ConvTranspose2d):
            assert (layer.kernel_size, layer.stride, layer.padding) == ((2, 2), (2, 2), (0, 0))
        elif isinstance(layer, nn.Conv2d):
            assert (layer.kernel_size, layer.stride, layer.padding) == ((3, 3), (1, 1), (1, 1))
        elif isinstance(layer, nn.MaxPool2d):
            assert (layer.kernel_size, layer.stride) == (2, 2)
    ours.load_state_dict(theirs.state_dict())
    x = torch.rand(3, 1, size, size)
    with torch.no_grad():
        mine, reference = ours(x), theirs(x)
    if task == "circle":
        torch.testing.assert_close(mine[0], reference[0])
        mine, reference = mine[1], reference[1]
    torch.testing.assert_close(torch.sigmoid(mine), reference)


@pytest.mark.parametrize(("name", "arch", "size"), CASES)
def test_checkpoint_round_trip(tmp_path, name, arch, size):
    model = small(name, arch)
    network = build_network(model).eval()
    (tmp_path / "model.pt").write_bytes(checkpoint_bytes(network, model))
    payload = torch.load(tmp_path / "model.pt", weights_only=True)
    loaded, loaded_model = network_from_checkpoint(payload)
    assert loaded_model == model and type(loaded_model) is MODELS[name]
    assert ("depth" in payload["config"]) == (arch == "unet")  # a knob only where it is read
    x = torch.rand(2, 1, size, size)
    with torch.no_grad():
        for a, b in zip(torch.atleast_1d(network(x)), torch.atleast_1d(loaded.eval()(x))):
            torch.testing.assert_close(a, b)


def test_a_checkpoint_is_rebuilt_as_the_model_it_names(tmp_path):
    """segnet and unet share their knobs and networks: only the stored name tells them apart."""
    model = model_of("unet", width=4)
    payload = {"model": "unet", "config": model.model_dump(exclude_none=True),
               "state_dict": build_network(model).state_dict()}  # fmt: skip
    assert type(network_from_checkpoint(payload)[1]) is MODELS["unet"]
    assert type(network_from_checkpoint({**payload, "model": "segnet"})[1]) is MODELS["segnet"]


def test_equal_weights_give_equal_checkpoint_bytes(tmp_path):
    model = small("segnet", "simple_segnet")
    torch.manual_seed(0)
    first = checkpoint_bytes(build_network(model), model)
    torch.manual_seed(0)
    assert checkpoint_bytes(build_network(model), model) == first
    torch.manual_seed(1)
    assert checkpoint_bytes(build_network(model), model) != first


def test_the_stronger_unet_doubles_its_width_each_level_with_batch_norm():
    net = build_network(small("circlenet", "unet"))
    assert [block[0].out_channels for block in net.down] == [4, 8, 16]
    for block in [*net.down, *net.merge]:
        assert [type(layer) for layer in block] == [nn.Conv2d, nn.BatchNorm2d, nn.ReLU] * 2
        assert block[0].bias is None and block[3].bias is None  # batch norm has the bias
    assert [type(layer) for layer in net.classifier] == [
        GlobalAvgPool, nn.Flatten, nn.Dropout, nn.Linear
    ]  # fmt: skip
    assert net.classifier[2].p == 0.2 and net.classifier[3].in_features == 16
    assert [(up.in_channels, up.out_channels) for up in net.up] == [(16, 8), (8, 4)]
    assert build_network(small("segnet", "unet")).classifier is None
    assert len(build_network(model_of("segnet", arch="unet", depth=3)).down) == 4


def test_the_global_average_pool_is_torchs_adaptive_one_to_the_bit():
    x = torch.randn(6, 5, 7, 7).contiguous(memory_format=torch.channels_last)
    grad = torch.randn(6, 5, 1, 1)
    results = []
    for pool in (GlobalAvgPool(), nn.AdaptiveAvgPool2d(1)):
        inputs = x.clone().requires_grad_()
        out = pool(inputs)
        out.backward(grad)
        results.append((out, inputs.grad))
    for ours, torchs in zip(*results):
        assert torch.equal(ours, torchs)
