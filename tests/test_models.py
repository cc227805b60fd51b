import pytest
import torch

from mnistseg.models import (
    ModelConfig,
    UpConv,
    build_model,
    checkpoint_bytes,
    conv_pool_relu,
    model_from_checkpoint,
)

CASES = [
    ("segment", "simple_segnet", 28),
    ("segment", "simple_unet", 56),
    ("segment", "unet", 28),
    ("segment", "unet", 56),
    ("circle", "circlization_cnn", 28),
    ("circle", "unet", 28),
]


@pytest.mark.parametrize(("task", "arch", "size"), CASES)
def test_output_shapes(task, arch, size):
    cfg = ModelConfig(task=task, arch=arch, width=4, image_size=size)
    out = build_model(cfg)(torch.rand(3, 1, size, size))
    if task == "circle":
        class_logits, mask_logits = out
        assert class_logits.shape == (3, 10)
        assert mask_logits.shape == (3, 1, size, size)
    else:
        assert out.shape == (3, 1, size, size)


def test_assignment_layer_sizes():
    segnet = build_model(ModelConfig(task="segment", arch="simple_segnet", width=8))
    convs = [
        m for m in segnet.modules() if isinstance(m, torch.nn.Conv2d | torch.nn.ConvTranspose2d)
    ]
    assert [(c.in_channels, c.out_channels) for c in convs] == [(1, 8), (8, 16), (16, 8), (8, 1)]
    circle = build_model(ModelConfig(task="circle", arch="circlization_cnn", width=16))
    assert circle.classifier[1].in_features == 32 * 7 * 7


def test_pool_before_relu_gives_the_assignments_outputs_and_gradients():
    # The assignment's order is Conv, ReLU, MaxPool; the encoders pool first. Same weights,
    # an input with flat regions (ties in every pooling window, as MNIST's background gives):
    # equal outputs and equal weight gradients, to the bit.
    torch.manual_seed(0)
    ours = torch.nn.Sequential(*conv_pool_relu(1, 4), *conv_pool_relu(4, 8))
    theirs = torch.nn.Sequential(
        ours[0],
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        ours[3],
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
    )
    x = torch.zeros(5, 1, 28, 28)
    x[:, :, 6:20, 8:22] = torch.rand(5, 1, 14, 14)
    grads = []
    for net in (ours, theirs):
        net.zero_grad()
        out = net(x)
        (out * torch.linspace(-1, 1, out.numel()).view_as(out)).sum().backward()
        grads.append((out.detach(), [p.grad.clone() for p in net.parameters()]))
    assert torch.equal(grads[0][0], grads[1][0])
    for ours_grad, theirs_grad in zip(grads[0][1], grads[1][1], strict=True):
        assert torch.equal(ours_grad, theirs_grad)


@pytest.mark.parametrize("channels_last", [True, False])
@pytest.mark.parametrize(("c_in", "c_out"), [(16, 8), (8, 1), (3, 5)])
def test_up_conv_is_the_transposed_convolution(c_in, c_out, channels_last):
    torch.manual_seed(0)
    ours = UpConv(c_in, c_out)
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


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"task": "segment", "arch": "resnet"}, "arch 'resnet' cannot do"),
        ({"task": "segment", "arch": "circlization_cnn"}, "cannot do the 'segment' task"),
        ({"task": "circle", "arch": "unet", "depth": 3, "image_size": 28}, "not divisible"),
        ({"task": "count", "arch": "unet"}, "task must be"),
    ],
)
def test_bad_configs_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ModelConfig(**kwargs)


@pytest.mark.parametrize(("task", "arch", "size"), CASES)
def test_checkpoint_round_trip(tmp_path, task, arch, size):
    cfg = ModelConfig(task=task, arch=arch, width=4, image_size=size)
    model = build_model(cfg).eval()
    (tmp_path / "model.pt").write_bytes(checkpoint_bytes(model, cfg))
    loaded, loaded_cfg = model_from_checkpoint(torch.load(tmp_path / "model.pt", weights_only=True))
    assert loaded_cfg == cfg
    x = torch.rand(2, 1, size, size)
    with torch.no_grad():
        for a, b in zip(torch.atleast_1d(model(x)), torch.atleast_1d(loaded.eval()(x))):
            torch.testing.assert_close(a, b)


def test_equal_weights_give_equal_checkpoint_bytes(tmp_path):
    cfg = ModelConfig(task="segment", arch="simple_segnet", width=4)
    torch.manual_seed(0)
    first = checkpoint_bytes(build_model(cfg), cfg)
    torch.manual_seed(0)
    assert checkpoint_bytes(build_model(cfg), cfg) == first
    torch.manual_seed(1)
    assert checkpoint_bytes(build_model(cfg), cfg) != first
