"""Training: the data held on the device as tensors, batches taken by index, Adam, and each
epoch's validation loss and scores."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812
from tqdm import tqdm

from mnistseg.data.arrays import ModelSplit
from mnistseg.nets.device import Placement
from mnistseg.nets.inference import as_input, collect, eval_batch_size, read_outputs
from mnistseg.nets.models import Model
from mnistseg.nets.networks import build_network
from mnistseg.nets.scoring import Predictions, Scores, score


@dataclass(frozen=True)
class MaskData:
    """A dataset in memory. inputs, masks: (N, 1, H, W) uint8; labels: (N,) int64 or None."""

    inputs: torch.Tensor
    masks: torch.Tensor
    labels: torch.Tensor | None = None

    def __len__(self) -> int:
        return len(self.inputs)

    def subset(self, index: torch.Tensor) -> MaskData:
        labels = None if self.labels is None else self.labels[index]
        return MaskData(self.inputs[index], self.masks[index], labels)

    def to(self, device: torch.device) -> MaskData:
        """The same data on `device`: held there once, batches are drawn there (as uint8, a
        digit split of MNIST is 47 MB)."""
        labels = None if self.labels is None else self.labels.to(device)
        return MaskData(self.inputs.to(device), self.masks.to(device), labels)


Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]


def mask_data(inputs: np.ndarray, masks: np.ndarray, labels: np.ndarray | None = None) -> MaskData:
    """Wrap (N, H, W) uint8 inputs and {0, 255} masks (and labels) as uint8 tensors."""
    return MaskData(
        inputs=torch.from_numpy(np.ascontiguousarray(inputs)).unsqueeze(1),
        masks=torch.from_numpy(np.ascontiguousarray(masks > 0).astype(np.uint8)).unsqueeze(1),
        labels=None if labels is None else torch.from_numpy(np.asarray(labels, dtype=np.int64)),
    )


def set_seeds(seed: int) -> None:
    """Seed Python's, NumPy's and torch's generators (CPU and CUDA)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def split_indices(count: int, val_fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded (train, validation) split of range(count); validation gets >= 1 item if asked."""
    order = torch.randperm(count, generator=torch.Generator().manual_seed(seed))
    val_count = min(count - 1, max(1, round(count * val_fraction))) if val_fraction > 0 else 0
    return order[val_count:].sort().values, order[:val_count].sort().values


def batches(
    data: MaskData,
    batch_size: int,
    place: Placement,
    generator: torch.Generator | None = None,
) -> Iterator[Batch]:
    """Mini-batches on `place.device`: inputs float in [0, 1], masks float {0, 1}, labels int64.

    With a generator (on the CPU) the order is shuffled (training); without, it is the data's
    order. Items are taken where `data` is held: on the device, nothing is copied per batch.
    """
    order = (
        torch.arange(len(data))
        if generator is None
        else torch.randperm(len(data), generator=generator)
    ).to(data.inputs.device)
    for start in range(0, len(data), batch_size):
        index = order[start : start + batch_size]
        x = as_input(data.inputs[index], place)
        y = data.masks[index].to(place.device).float()
        labels = None if data.labels is None else data.labels[index].to(place.device)
        yield x, y, labels


def compute_loss(
    outputs: torch.Tensor | tuple[torch.Tensor, torch.Tensor], batch: Batch
) -> torch.Tensor:
    """BCE on mask logits, plus cross-entropy on class logits for the circle task."""
    _, masks, labels = batch
    if isinstance(outputs, tuple):
        class_logits, mask_logits = outputs
        return F.binary_cross_entropy_with_logits(mask_logits, masks) + F.cross_entropy(
            class_logits, labels
        )
    return F.binary_cross_entropy_with_logits(outputs, masks)


def mean_loss(losses: list[torch.Tensor], sizes: list[int]) -> float:
    """The mean loss per item of batches of `sizes` items: read from the device in one wait,
    summed in float64 in batch order."""
    if not losses:
        return 0.0
    values = torch.stack(losses).tolist()
    return sum(value * size for value, size in zip(values, sizes)) / sum(sizes)


def train_one_epoch(
    network: nn.Module, batches: Iterable[Batch], optimizer: torch.optim.Optimizer
) -> float:
    """One pass over `batches` (on the network's device); the mean training loss per item.

    Each step's loss stays on the device until the epoch ends: nothing in the loop waits for it.
    """
    network.train()
    losses, sizes = [], []
    for batch in batches:
        x = batch[0]
        loss = compute_loss(network(x), batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
        sizes.append(len(x))
    return mean_loss(losses, sizes)


@torch.no_grad()
def validate(network: nn.Module, batches: Iterable[Batch]) -> tuple[float, Predictions]:
    """Mean loss per item and the predictions over `batches` (on the network's device), in
    one pass in eval mode: what the network learns, as inference reads it."""
    network.eval()
    losses, sizes, answers = [], [], []
    for batch in batches:
        outputs = network(batch[0])
        losses.append(compute_loss(outputs, batch))
        sizes.append(len(batch[0]))
        answers.append(read_outputs(outputs))
    return mean_loss(losses, sizes), collect(answers)


def progress(items: Iterable, description: str, total: int) -> Iterable:  # pragma: no mutate block
    """A progress bar on an interactive terminal; silent in logs and CI."""
    return tqdm(items, desc=description, total=total, leave=False, disable=None)


@dataclass(frozen=True)
class Epoch:
    """What one epoch of `fit` reports: training loss, and validation loss and scores."""

    number: int
    train_loss: float
    val_loss: float | None  # None without a validation slice (val_fraction 0)
    val_scores: Scores | None


@dataclass(frozen=True)
class Run:
    """A model ready to train: network, optimizer, data split into training and validation."""

    params: Model
    network: nn.Module
    optimizer: torch.optim.Adam
    train_set: MaskData
    val_set: MaskData
    # (V, H, W) bool: validation scores what the network learns; for `circle_from: digit_mask`
    # the digit masks, whose circles are fitted and scored by the evaluate stage
    val_masks: np.ndarray
    val_labels: np.ndarray | None
    place: Placement


def fused_adam(device: torch.device) -> bool:
    """Whether Adam's fused kernel (one pass over all parameters) runs on `device`."""
    return device.type in ("cpu", "cuda")


def prepare(data: ModelSplit, params: Model, place: Placement) -> Run:
    """Build the network and its optimizer on `place`, and hold out the validation slice
    (seeded); both slices are moved to the device once."""
    labels = data.labels if params.task == "circle" else None
    everything = mask_data(data.inputs, data.targets, labels)
    train_index, val_index = split_indices(len(everything), params.val_fraction, params.seed)
    device = place.device
    network = build_network(params).to(device).to(memory_format=place.memory_format)
    # The fused kernel: the same update in one pass over all parameters (CPU and CUDA only).
    optimizer = torch.optim.Adam(network.parameters(), lr=params.lr, fused=fused_adam(device))
    return Run(
        params=params,
        network=network,
        optimizer=optimizer,
        train_set=everything.subset(train_index).to(device),
        val_set=everything.subset(val_index).to(device),
        val_masks=data.targets[val_index.numpy()] > 0,
        val_labels=None if data.labels is None else data.labels[val_index.numpy()],
        place=place,
    )


def fit(run: Run, epochs: int) -> Iterator[Epoch]:
    """Train `run.network` for `epochs`, yielding each epoch's losses and validation scores."""
    batch_size, place = run.params.batch_size, run.place
    shuffle = torch.Generator().manual_seed(run.params.seed)
    steps = -(-len(run.train_set) // batch_size)
    for number in range(1, epochs + 1):
        shuffled = batches(run.train_set, batch_size, place, shuffle)
        loss = train_one_epoch(
            run.network, progress(shuffled, f"epoch {number}", steps), run.optimizer
        )
        if not len(run.val_set):
            yield Epoch(number, loss, None, None)
            continue
        size = eval_batch_size(run.val_set.inputs.shape[-2:], place.eval_pixels)
        val_loss, pred = validate(run.network, batches(run.val_set, size, place))
        scores = score(pred, run.val_masks, run.val_labels)
        yield Epoch(number, loss, val_loss, scores)
