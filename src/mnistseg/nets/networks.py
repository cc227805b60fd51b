"""The assignment's three networks and a stronger U-Net variant, each built from a small config.

Every network returns logits: a (N, 1, H, W) mask for segmentation, and for the circle task a
pair ((N, 10) class logits, (N, 1, H, W) mask logits). Sigmoid and softmax live in the loss.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields

import torch
from torch import nn

from mnistseg.digits import DIGIT_SIDE, NUM_CLASSES

INPUTS = ("image", "circle_mask")
CIRCLE_SOURCES = ("decoder", "digit_mask")
TASKS = ("segment", "circle")  # a mask; or a digit's class and its circle mask


@dataclass(frozen=True)
class Arch:
    """A network that params.yaml can name as a model's `arch`, and the tasks it can do."""

    network: type[nn.Module]
    tasks: tuple[str, ...]


ARCHS: dict[str, Arch] = {}  # arch name -> network: filled by @arch on each network class


Register = Callable[[type[nn.Module]], type[nn.Module]]


def arch(name: str, *tasks: str) -> Register:  # pragma: no mutate block (runs at import)
    """Class decorator: the network is built for `arch: name` in params.yaml, for `tasks`."""

    def register(network: type[nn.Module]) -> type[nn.Module]:
        ARCHS[name] = Arch(network, tasks)
        return network

    return register


@dataclass(frozen=True)
class ModelConfig:
    """What fixes a network's shape; `arch` is a key of ARCHS.

    Each network class has `pooling_levels(cfg)`: how many times it halves its input.
    """

    task: str  # one of TASKS
    arch: str
    width: int = 16  # channels of the first level; each level down doubles it
    depth: int = 2  # pooling levels (unet only; the assignment's nets have 2)
    image_size: int = DIGIT_SIDE  # side of the square input, for the class head's input size
    num_classes: int = NUM_CLASSES  # circle task only
    input: str = "image"  # what the network sees: the digit `image`, or the `circle_mask` itself
    # circle task: the mask comes from the `decoder`, or is the circle fitted to a predicted
    # `digit_mask` (the network segments the digit; OpenCV fits its enclosing circle)
    circle_from: str = "decoder"

    def __post_init__(self) -> None:
        # What the network can be built for; the knobs' own ranges are checked by their
        # params dataclass (training.SegmentParams), from params.yaml.
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}, got {self.task!r}")
        if self.arch not in ARCHS or self.task not in ARCHS[self.arch].tasks:
            raise ValueError(f"arch {self.arch!r} cannot do the {self.task!r} task")
        levels = ARCHS[self.arch].network.pooling_levels(self)
        if self.image_size % 2**levels:
            raise ValueError(f"image_size {self.image_size} is not divisible by 2**{levels}")


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


@arch("simple_unet", "segment")  # the assignment's Q4 network is Q2's at another width
@arch("simple_segnet", "segment")  # (decorators apply bottom up: this name comes first)
class SimpleSegNet(nn.Module):
    """Q2's network: two conv+pool levels down, two transposed convs up, no skips.

    Module for module the assignment's SimpleSegNet (width 8) and, at width 16, its Q4
    SimpleUNet, which despite its name has no skip connections: the same state_dict keys.
    """

    @staticmethod
    def pooling_levels(cfg: ModelConfig) -> int:
        """How many times the network halves its input (the input side must divide 2**it)."""
        return 2

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        self.encoder = two_level_encoder(cfg.width)
        self.decoder = two_level_decoder(cfg.width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


@arch("circlization_cnn", "circle")
class CirclizationCNN(nn.Module):
    """Q3's network: a shared encoder, a linear class head `fc` and a transposed-conv decoder."""

    pooling_levels = SimpleSegNet.pooling_levels

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        w = cfg.width
        self.encoder = two_level_encoder(w)
        side = cfg.image_size // 4
        self.fc = nn.Linear(2 * w * side * side, cfg.num_classes)
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


@arch("unet", "segment", "circle")
class UNet(nn.Module):
    """A real U-Net: skip connections and batch norm; with a class head for the circle task."""

    @staticmethod
    def pooling_levels(cfg: ModelConfig) -> int:
        return cfg.depth

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        widths = [cfg.width * 2**level for level in range(cfg.depth + 1)]
        self.down = nn.ModuleList(
            [conv_block(1, widths[0])]
            + [conv_block(widths[i], widths[i + 1]) for i in range(cfg.depth)]
        )
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList(
            up_conv(widths[i + 1], widths[i]) for i in reversed(range(cfg.depth))
        )
        self.merge = nn.ModuleList(
            conv_block(2 * widths[i], widths[i]) for i in reversed(range(cfg.depth))
        )
        self.head = nn.Conv2d(widths[0], 1, 1)
        self.classifier = None
        if cfg.task == "circle":
            self.classifier = nn.Sequential(
                GlobalAvgPool(),
                nn.Flatten(),
                nn.Dropout(0.2),
                nn.Linear(widths[-1], cfg.num_classes),
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


def build_model(cfg: ModelConfig) -> nn.Module:
    """The network that `cfg` describes."""
    return ARCHS[cfg.arch].network(cfg)


def config_from_dict(values: dict) -> ModelConfig:
    """Rebuild a ModelConfig from `asdict(cfg)` (as stored in a checkpoint)."""
    known = {f.name for f in fields(ModelConfig)}
    return ModelConfig(**{k: v for k, v in values.items() if k in known})


def checkpoint(model: nn.Module, cfg: ModelConfig) -> dict:
    """What a checkpoint file holds: weights and the config that rebuilds the network."""
    return {"state_dict": model.state_dict(), "config": asdict(cfg)}


def checkpoint_bytes(model: nn.Module, cfg: ModelConfig) -> bytes:
    """The checkpoint as the bytes of a `.pt` file, the same for the same weights.

    torch.save to a path names the zip's inner folder after the file, so saving through a
    temporary file would make equal checkpoints differ; a buffer always names it `archive`.
    """
    buffer = io.BytesIO()
    torch.save(checkpoint(model, cfg), buffer)
    return buffer.getvalue()


def model_from_checkpoint(payload: dict) -> tuple[nn.Module, ModelConfig]:
    """Rebuild the network of a checkpoint loaded with `torch.load(..., weights_only=True)`."""
    cfg = config_from_dict(payload["config"])
    model = build_model(cfg)
    model.load_state_dict(payload["state_dict"])
    return model, cfg
