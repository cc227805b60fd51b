"""The assignment's three networks and a stronger U-Net variant, each built from a model's
section of params.yaml (models.py), and the checkpoint files that hold them.

Every network returns logits: a (N, 1, H, W) mask for segmentation, and for the circle task a
pair ((N, 10) class logits, (N, 1, H, W) mask logits). Sigmoid and softmax live in the loss.
"""

from __future__ import annotations

import io

import torch
from torch import nn

from mnistseg.digits import DIGIT_SIDE, NUM_CLASSES
from mnistseg.nets.models import MODELS, Model


def conv_relu_pool(c_in: int, c_out: int) -> list[nn.Module]:
    """The assignment's encoder level: Conv(3x3, padding 1) + ReLU + MaxPool(2)."""
    return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]


def up_conv(c_in: int, c_out: int) -> nn.ConvTranspose2d:
    """The assignment's upsampling: a 2x2 transposed convolution with stride 2 (doubles H, W)."""
    return nn.ConvTranspose2d(c_in, c_out, 2, stride=2)


def two_level_encoder(w: int) -> nn.Sequential:
    """The assignment's encoder: Conv(1->w)+ReLU+pool, Conv(w->2w)+ReLU+pool; /4 resolution."""
    return nn.Sequential(*conv_relu_pool(1, w), *conv_relu_pool(w, 2 * w))


def two_level_decoder(w: int) -> nn.Sequential:
    """The assignment's decoder: ConvT(2w->w, 2, stride 2)+ReLU, ConvT(w->1, 2, stride 2).

    The assignment ends with a Sigmoid; here it lives in the loss (BCE with logits).
    """
    return nn.Sequential(up_conv(2 * w, w), nn.ReLU(), up_conv(w, 1))


class SimpleSegNet(nn.Module):
    """Q2's network: two conv+pool levels down, two transposed convs up, no skips.

    Module for module the assignment's SimpleSegNet (width 8) and, at width 16, its Q4
    SimpleUNet, which despite its name has no skip connections: the same state_dict keys.
    """

    def __init__(self, model: Model) -> None:
        super().__init__()
        self.encoder = two_level_encoder(model.width)
        self.decoder = two_level_decoder(model.width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


class CirclizationCNN(nn.Module):
    """Q3's network: a shared encoder, a linear class head `fc` and a transposed-conv decoder.

    The class head reads the encoder's whole (2w, 7, 7) output: it takes MNIST-sized digits.
    """

    def __init__(self, model: Model) -> None:
        super().__init__()
        w = model.width
        self.encoder = two_level_encoder(w)
        side = DIGIT_SIDE // 2 ** model.pooling_levels()
        self.fc = nn.Linear(2 * w * side * side, NUM_CLASSES)
        self.decoder = two_level_decoder(w)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.encoder(x)
        return self.fc(features.flatten(1)), self.decoder(features)


def conv_block(c_in: int, c_out: int) -> nn.Sequential:
    """Two 3x3 conv + batch norm + ReLU layers."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(),
        nn.Conv2d(c_out, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(),
    )  # fmt: skip


class GlobalAvgPool(nn.Module):
    """Each channel's mean over its pixels, (N, C, H, W) -> (N, C, 1, 1): nn.AdaptiveAvgPool2d(1)
    to the bit on the CPU, and with a deterministic backward on CUDA, which that one lacks."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3), keepdim=True)


class UNet(nn.Module):
    """A real U-Net: skip connections and batch norm; with a class head for the circle task."""

    def __init__(self, model: Model) -> None:
        super().__init__()
        depth = model.pooling_levels()
        widths = [model.width * 2**level for level in range(depth + 1)]
        self.down = nn.ModuleList(
            [conv_block(1, widths[0])]
            + [conv_block(widths[i], widths[i + 1]) for i in range(depth)]
        )
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList(up_conv(widths[i + 1], widths[i]) for i in reversed(range(depth)))
        self.merge = nn.ModuleList(
            conv_block(2 * widths[i], widths[i]) for i in reversed(range(depth))
        )
        self.head = nn.Conv2d(widths[0], 1, 1)
        self.classifier = None
        if model.task == "circle":
            self.classifier = nn.Sequential(
                GlobalAvgPool(),
                nn.Flatten(),
                nn.Dropout(0.2),
                nn.Linear(widths[-1], NUM_CLASSES),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        skips = []
        for level, block in enumerate(self.down):
            x = block(x if level == 0 else self.pool(x))
            skips.append(x)
        bottom = x
        for up, merge, skip in zip(self.up, self.merge, reversed(skips[:-1])):
            x = merge(torch.cat([up(x), skip], dim=1))
        mask = self.head(x)
        if self.classifier is None:
            return mask
        return self.classifier(bottom), mask


# The network each `arch` of params.yaml names. The assignment's Q4 network is Q2's at another
# width, despite its name (no skips): the same class.
NETWORKS: dict[str, type[nn.Module]] = {
    "simple_segnet": SimpleSegNet,
    "simple_unet": SimpleSegNet,
    "circlization_cnn": CirclizationCNN,
    "unet": UNet,
}


def build_network(model: Model) -> nn.Module:
    """The network that a model's section describes."""
    return NETWORKS[model.arch](model)


def checkpoint_bytes(network: nn.Module, model: Model) -> bytes:
    """A checkpoint file's bytes: the weights, and the model's name and section that rebuild
    the network; the same for the same weights.

    torch.save to a path names the zip's inner folder after the file, so saving through a
    temporary file would make equal checkpoints differ; a buffer always names it `archive`.
    """
    buffer = io.BytesIO()
    config = model.model_dump(exclude_none=True)  # `depth` only where the arch has it
    payload = {"model": model.name, "config": config, "state_dict": network.state_dict()}
    torch.save(payload, buffer)
    return buffer.getvalue()


def network_from_checkpoint(payload: dict) -> tuple[nn.Module, Model]:
    """The network of a checkpoint loaded with `torch.load(..., weights_only=True)`, and its
    model. A payload of another kind raises KeyError, TypeError or ValueError."""
    model = MODELS[payload["model"]].model_validate(payload["config"])
    network = build_network(model)
    network.load_state_dict(payload["state_dict"])
    return network, model
