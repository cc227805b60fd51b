import numpy as np
import pytest
import torch
from torch.nn import functional as F  # noqa: N812

from mnistseg.data.arrays import ModelSplit
from mnistseg.nets.config import SegmentParams
from mnistseg.nets.device import placement
from mnistseg.nets.networks import ModelConfig, build_model
from mnistseg.nets.training import (
    batches,
    compute_loss,
    eval_batch_size,
    evaluate,
    fit,
    mask_data,
    mean_loss,
    prepare,
    set_seeds,
    split_indices,
    train_one_epoch,
)

CPU = torch.device("cpu")
ON_CPU = placement(CPU)


@pytest.fixture
def small_data(digits):
    images, labels = digits
    masks = ((images > 100) * 255).astype(np.uint8)
    return mask_data(images[:64], masks[:64], labels[:64])


@pytest.mark.parametrize(
    ("task", "arch"), [("segment", "simple_segnet"), ("circle", "circlization_cnn")]
)
def test_a_few_steps_lower_the_loss(small_data, task, arch):
    set_seeds(0)
    data = (
        small_data
        if task == "circle"
        else mask_data(small_data.inputs[:, 0].numpy(), small_data.masks[:, 0].numpy() * 255)
    )
    model = build_model(ModelConfig(task=task, arch=arch, width=8))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    before, _ = evaluate(model, batches(data, 64, ON_CPU), CPU)
    for _ in range(15):
        train_one_epoch(
            model, batches(data, 16, ON_CPU, torch.Generator().manual_seed(0)), optimizer, CPU
        )
    assert evaluate(model, batches(data, 64, ON_CPU), CPU)[0] < 0.7 * before


def train_briefly(data, seed):
    set_seeds(seed)
    model = build_model(ModelConfig(task="circle", arch="circlization_cnn", width=4))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train_one_epoch(
        model, batches(data, 8, ON_CPU, torch.Generator().manual_seed(seed)), optimizer, CPU
    )
    return evaluate(model, batches(data, 32, ON_CPU), CPU)[1], model


def test_same_seed_same_model(small_data):
    (a, model_a), (b, model_b) = train_briefly(small_data, 0), train_briefly(small_data, 0)
    np.testing.assert_array_equal(a.masks, b.masks)
    for pa, pb in zip(model_a.parameters(), model_b.parameters()):
        torch.testing.assert_close(pa, pb, rtol=0, atol=0)


@pytest.mark.parametrize(("side", "expected"), [(28, 334), (56, 83), (1024, 1)])
def test_inference_batches_hold_a_fixed_number_of_pixels(side, expected):
    images = np.zeros((2, side, side), dtype=np.uint8)
    assert eval_batch_size(mask_data(images, images), 1 << 18) == expected


def test_batches_cover_every_item_once(small_data):
    seen = [x for x, _, _ in batches(small_data, 10, ON_CPU, torch.Generator().manual_seed(3))]
    assert sum(len(x) for x in seen) == len(small_data)
    assert seen[0].dtype == torch.float32 and float(seen[0].max()) <= 1.0


def test_split_is_seeded_and_disjoint():
    train, val = split_indices(100, 0.1, seed=4)
    assert len(val) == 10 and len(train) == 90
    assert not set(train.tolist()) & set(val.tolist())
    assert torch.equal(split_indices(100, 0.1, seed=4)[1], val)
    assert len(split_indices(100, 0.0, seed=4)[1]) == 0


def test_the_epoch_loss_is_the_mean_per_item_summed_in_float64(small_data):
    """As a loop that reads each step's loss at once would have it, to the bit, without
    waiting for the device at each step."""
    set_seeds(0)
    model = build_model(ModelConfig(task="circle", arch="circlization_cnn", width=4))
    state = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    shuffled = batches(small_data, 10, ON_CPU, torch.Generator().manual_seed(1))
    ours = train_one_epoch(model, shuffled, optimizer, CPU)
    model.load_state_dict(state)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    total = 0.0
    for batch in batches(small_data, 10, ON_CPU, torch.Generator().manual_seed(1)):
        loss = compute_loss(model(batch[0]), batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch[0])
    assert ours == total / len(small_data)


def test_mean_loss_weighs_each_batch_by_its_items():
    losses = [torch.tensor(1.0), torch.tensor(4.0)]
    assert mean_loss(losses, [3, 1]) == 7 / 4
    assert mean_loss([], []) == 0.0


BASE = {
    "arch": "unet", "batch_size": 8, "lr": 0.001, "seed": 0, "val_fraction": 0.1, "width": 8,
    "depth": 2,
}  # fmt: skip


def test_fit_yields_every_epoch_with_validation_scores(digits):
    images, labels = digits
    masks = ((images > 100) * 255).astype(np.uint8)
    data = ModelSplit(images[:80], images[:80], masks[:80], masks[:80], labels[:80])
    params = SegmentParams(
        **{**BASE, "arch": "simple_segnet", "val_fraction": 0.25, "batch_size": 16}
    )
    set_seeds(0)
    run = prepare(data, "segment", params, ON_CPU)
    assert (len(run.train_set), len(run.val_set)) == (60, 20)
    epochs = list(fit(run, epochs=2))
    assert [e.number for e in epochs] == [1, 2]
    assert 0 <= epochs[-1].val_scores.headline["mean_iou"] <= 1
    assert epochs[-1].train_loss < epochs[0].train_loss or epochs[-1].val_loss < epochs[0].val_loss


def test_validation_scores_what_the_network_learns(digits):
    """For `circle_from: digit_mask` the network learns digit masks and the evaluate stage
    fits their circles: validation compares its masks with the targets, not the circles."""
    images, labels = digits
    targets = ((images[:40] > 100) * 255).astype(np.uint8)
    circles = np.zeros_like(targets)  # nothing like what it learns
    data = ModelSplit(images[:40], images[:40], targets, circles, labels[:40])
    params = SegmentParams(**{**BASE, "arch": "simple_segnet", "val_fraction": 0.5})
    run = prepare(data, "segment", params, ON_CPU)
    _, val_index = split_indices(40, 0.5, params.seed)
    np.testing.assert_array_equal(run.val_masks, targets[val_index.numpy()] > 0)
    assert run.val_masks.any()


def test_the_circle_loss_is_the_mask_bce_plus_the_class_cross_entropy_unweighted():
    torch.manual_seed(0)
    class_logits, mask_logits = torch.randn(6, 10), torch.randn(6, 1, 5, 5)
    masks = (torch.rand(6, 1, 5, 5) > 0.5).float()
    labels = torch.randint(0, 10, (6,))
    batch = (torch.zeros(6, 1, 5, 5), masks, labels)
    bce = F.binary_cross_entropy_with_logits(mask_logits, masks)  # the mean over every pixel
    ce = F.cross_entropy(class_logits, labels)  # the mean over the batch
    assert torch.equal(compute_loss((class_logits, mask_logits), batch), bce + ce)
    assert torch.equal(compute_loss(mask_logits, batch), bce)  # a mask alone: BCE alone


def test_split_is_the_seeded_permutation_both_halves_sorted():
    train, val = split_indices(38, 0.05, seed=7)
    order = torch.randperm(38, generator=torch.Generator().manual_seed(7))
    assert torch.equal(val, order[:2].sort().values)  # round(38 * 0.05) = round(1.9) = 2
    assert torch.equal(train, order[2:].sort().values)
    assert not torch.equal(split_indices(38, 0.05, seed=8)[1], val)  # the seed is used


def test_a_logit_of_exactly_zero_is_background():
    """Probability 0.5 is not foreground: masks are logit > 0, not >= 0."""

    class Zeros(torch.nn.Module):
        def forward(self, x):
            return torch.zeros_like(x)

    data = mask_data(np.zeros((3, 4, 4), np.uint8), np.zeros((3, 4, 4), np.uint8))
    _, pred = evaluate(Zeros(), batches(data, 2, ON_CPU), CPU)
    assert pred.masks.shape == (3, 4, 4) and not pred.masks.any()


def test_only_the_circle_task_carries_labels(digits):
    from mnistseg.nets.config import CircleParams

    images, labels = digits
    masks = ((images[:20] > 100) * 255).astype(np.uint8)
    data = ModelSplit(images[:20], images[:20], masks, masks, labels[:20])
    values = {**BASE, "arch": "circlization_cnn", "width": 2, "val_fraction": 0.25}
    seg = prepare(data, "segment", SegmentParams(**{**values, "arch": "simple_segnet"}), ON_CPU)
    assert seg.train_set.labels is None and seg.val_set.labels is None
    params = CircleParams(**values, input="image", circle_from="decoder")
    circle = prepare(data, "circle", params, ON_CPU)
    train_index, val_index = split_indices(20, 0.25, params.seed)
    np.testing.assert_array_equal(circle.train_set.labels, labels[:20][train_index.numpy()])
    np.testing.assert_array_equal(circle.val_set.labels, labels[:20][val_index.numpy()])


def test_epochs_are_shuffled_by_one_generator_seeded_with_the_models_seed(digits, monkeypatch):
    import mnistseg.nets.training as training

    orders, real = [], training.batches

    def spy(data, batch_size, place, generator=None):
        if generator is not None:  # the training batches: note the order they will take
            copy = torch.Generator().set_state(generator.get_state())
            orders.append(torch.randperm(len(data), generator=copy))
        return real(data, batch_size, place, generator)

    monkeypatch.setattr(training, "batches", spy)
    images, labels = digits
    masks = ((images[:24] > 100) * 255).astype(np.uint8)
    data = ModelSplit(images[:24], images[:24], masks, masks, labels[:24])
    params = SegmentParams(
        **{**BASE, "arch": "simple_segnet", "width": 2, "seed": 5, "val_fraction": 0.0}
    )
    list(fit(prepare(data, "segment", params, ON_CPU), epochs=3))
    shuffle = torch.Generator().manual_seed(5)
    expected = [torch.randperm(24, generator=shuffle) for _ in range(3)]
    assert len(orders) == 3
    for got, want in zip(orders, expected):
        assert torch.equal(got, want)
