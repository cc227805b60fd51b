import dataclasses

import numpy as np
import pytest
import torch
from torch.nn import functional as F  # noqa: N812

from conftest import model_of
from mnistseg.data.arrays import ModelSplit
from mnistseg.nets.device import Placement, placement
from mnistseg.nets.networks import build_network
from mnistseg.nets.training import (
    batches,
    compute_loss,
    fit,
    fused_adam,
    mask_data,
    mean_loss,
    prepare,
    set_seeds,
    split_indices,
    train_one_epoch,
    validate,
)

CPU = torch.device("cpu")
ON_CPU = placement(CPU)


@pytest.fixture
def small_data(digits):
    images, labels = digits
    masks = ((images > 100) * 255).astype(np.uint8)
    return mask_data(images[:64], masks[:64], labels[:64])


@pytest.mark.parametrize("name", ["segnet", "circlenet"])
def test_a_few_steps_lower_the_loss(small_data, name):
    set_seeds(0)
    data = (
        small_data
        if name == "circlenet"
        else mask_data(small_data.inputs[:, 0].numpy(), small_data.masks[:, 0].numpy() * 255)
    )
    network = build_network(model_of(name, width=8))
    optimizer = torch.optim.Adam(network.parameters(), lr=3e-3)
    before, _ = validate(network, batches(data, 64, ON_CPU))
    for _ in range(15):
        train_one_epoch(
            network, batches(data, 16, ON_CPU, torch.Generator().manual_seed(0)), optimizer
        )
    assert validate(network, batches(data, 64, ON_CPU))[0] < 0.7 * before


def train_briefly(data, seed):
    set_seeds(seed)
    network = build_network(model_of("circlenet", width=4))
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
    shuffled = batches(data, 8, ON_CPU, torch.Generator().manual_seed(seed))
    train_one_epoch(network, shuffled, optimizer)
    return validate(network, batches(data, 32, ON_CPU))[1], network


def test_same_seed_same_model(small_data):
    (a, model_a), (b, model_b) = train_briefly(small_data, 0), train_briefly(small_data, 0)
    np.testing.assert_array_equal(a.masks, b.masks)
    for pa, pb in zip(model_a.parameters(), model_b.parameters()):
        torch.testing.assert_close(pa, pb, rtol=0, atol=0)


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
    network = build_network(model_of("circlenet", width=4))
    state = {k: v.clone() for k, v in network.state_dict().items()}
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
    shuffled = batches(small_data, 10, ON_CPU, torch.Generator().manual_seed(1))
    ours = train_one_epoch(network, shuffled, optimizer)
    network.load_state_dict(state)
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
    total = 0.0
    for batch in batches(small_data, 10, ON_CPU, torch.Generator().manual_seed(1)):
        loss = compute_loss(network(batch[0]), batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch[0])
    assert ours == total / len(small_data)


def test_mean_loss_weighs_each_batch_by_its_items():
    losses = [torch.tensor(1.0), torch.tensor(4.0)]
    assert mean_loss(losses, [3, 1]) == 7 / 4
    assert mean_loss([], []) == 0.0


def segnet(**changes):
    """segnet's committed section at width 8 and batch size 8, with `changes`."""
    return model_of("segnet", **{"width": 8, "batch_size": 8, "seed": 0, **changes})


def test_fit_yields_every_epoch_with_validation_scores(digits):
    images, labels = digits
    masks = ((images > 100) * 255).astype(np.uint8)
    data = ModelSplit(images[:80], images[:80], masks[:80], masks[:80], labels[:80])
    params = segnet(val_fraction=0.25, batch_size=16)
    set_seeds(0)
    run = prepare(data, params, ON_CPU)
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
    params = segnet(val_fraction=0.5)
    run = prepare(data, params, ON_CPU)
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


@pytest.mark.parametrize("task", ["segment", "circle"])
def test_a_logit_of_exactly_zero_is_background(task):
    """Probability 0.5 is not foreground: masks are logit > 0, not >= 0, for a mask alone and
    for the circle task's (class, mask) pair."""

    class Zeros(torch.nn.Module):
        def forward(self, x):
            if task == "circle":
                return torch.zeros(len(x), 10), torch.zeros_like(x)
            return torch.zeros_like(x)

    data = mask_data(
        np.zeros((3, 4, 4), np.uint8), np.zeros((3, 4, 4), np.uint8), np.array([1, 2, 3])
    )
    _, pred = validate(Zeros(), batches(data, 2, ON_CPU))
    assert pred.masks.shape == (3, 4, 4) and not pred.masks.any()


def test_only_the_circle_task_carries_labels(digits):
    images, labels = digits
    masks = ((images[:20] > 100) * 255).astype(np.uint8)
    data = ModelSplit(images[:20], images[:20], masks, masks, labels[:20])
    seg = prepare(data, segnet(width=2, val_fraction=0.25), ON_CPU)
    assert seg.train_set.labels is None and seg.val_set.labels is None
    params = model_of("circlenet", width=2, val_fraction=0.25, seed=0)
    circle = prepare(data, params, ON_CPU)
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
    params = segnet(width=2, seed=5, val_fraction=0.0)
    list(fit(prepare(data, params, ON_CPU), epochs=3))
    shuffle = torch.Generator().manual_seed(5)
    expected = [torch.randperm(24, generator=shuffle) for _ in range(3)]
    assert len(orders) == 3
    for got, want in zip(orders, expected):
        assert torch.equal(got, want)


# A device with no data in it: where a tensor is, is all that is checked. Whatever code forgets
# to move leaves it on the CPU.
META = Placement(torch.device("meta"), torch.contiguous_format, 1 << 18)


def test_the_data_batches_and_network_are_where_the_placement_says():
    images = np.zeros((10, 28, 28), np.uint8)
    held = mask_data(images, images, np.arange(10)).to(META.device)
    assert {held.inputs.device.type, held.masks.device.type, held.labels.device.type} == {"meta"}
    for x, y, labels in batches(held, 4, META, torch.Generator().manual_seed(0)):
        assert (x.device.type, y.device.type, labels.device.type) == ("meta", "meta", "meta")
    on_cpu = mask_data(images, images, np.arange(10))  # held on the CPU, batches moved
    for x, y, labels in batches(on_cpu, 4, META):
        assert (x.device.type, y.device.type, labels.device.type) == ("meta", "meta", "meta")
    params = segnet(val_fraction=0.2)
    run = prepare(ModelSplit(images, images, images, images, None), params, META)
    assert {p.device.type for p in run.network.parameters()} == {"meta"}
    assert (run.train_set.inputs.device.type, run.val_set.masks.device.type) == ("meta", "meta")


def test_the_network_takes_the_placements_memory_format(digits):
    images, labels = digits
    data = ModelSplit(images[:8], images[:8], images[:8], images[:8], labels[:8])
    params = segnet()
    run = prepare(data, params, ON_CPU)
    weight = run.network.encoder[3].weight  # (16, 8, 3, 3): the two layouts differ
    assert weight.is_contiguous(memory_format=torch.channels_last)
    assert not weight.is_contiguous()


def test_adams_fused_kernel_runs_on_the_cpu_and_cuda_only():
    assert fused_adam(torch.device("cpu")) and fused_adam(torch.device("cuda"))
    assert not fused_adam(torch.device("mps")) and not fused_adam(torch.device("meta"))


def test_mask_data_is_uint8_masks_of_nonzero_and_int64_labels():
    images = np.full((2, 3, 3), 7, np.uint8)
    masks = np.array([[[0, 1, 2], [255, 0, 0], [0, 0, 0]]] * 2, np.uint8)
    data = mask_data(images, masks, np.array([3, 9], np.uint8))
    assert data.inputs.dtype == data.masks.dtype == torch.uint8
    assert data.inputs.shape == (2, 1, 3, 3) and data.labels.dtype == torch.int64
    assert data.masks[0, 0].tolist() == [[0, 1, 1], [1, 0, 0], [0, 0, 0]]


def test_batches_scale_inputs_to_0_1_and_keep_the_order_without_a_generator():
    images = np.zeros((5, 2, 2), np.uint8)
    images[:, 0, 0] = 255
    images[:, 1, 1] = np.arange(5)
    data = mask_data(images, images)
    x = torch.cat([batch[0] for batch in batches(data, 2, ON_CPU)])
    assert x[:, 0, 0, 0].tolist() == [1.0] * 5
    assert x[:, 0, 1, 1].tolist() == (torch.arange(5.0) / 255).tolist()  # in the data's order


@pytest.mark.parametrize(
    ("count", "fraction", "expected"),
    [(2, 0.9, 1), (100, 0.001, 1), (100, 0.0, 0), (10, 0.5, 5), (3, 0.99, 2)],
)
def test_validation_takes_at_least_one_item_and_leaves_one_to_train(count, fraction, expected):
    train, val = split_indices(count, fraction, seed=0)
    assert (len(train), len(val)) == (count - expected, expected)


def test_set_seeds_seeds_python_numpy_and_torch():
    import random

    draws = []
    for _ in range(2):
        set_seeds(5)
        draws.append((random.random(), np.random.random(), torch.rand(1).item()))
    assert draws[0] == draws[1]
    set_seeds(6)
    assert random.random() != draws[0][0] and np.random.random() != draws[0][1]


def test_without_a_validation_slice_every_epoch_has_its_loss_alone(digits):
    images, labels = digits
    masks = ((images[:32] > 100) * 255).astype(np.uint8)
    data = ModelSplit(images[:32], images[:32], masks, masks, labels[:32])
    params = segnet(val_fraction=0.0)
    epochs = list(fit(prepare(data, params, ON_CPU), epochs=3))
    assert [e.number for e in epochs] == [1, 2, 3]
    assert all(e.train_loss > 0 and e.val_loss is None and e.val_scores is None for e in epochs)


def test_validation_scores_come_by_digit_with_the_loss(digits):
    images, labels = digits
    masks = ((images[:60] > 100) * 255).astype(np.uint8)
    data = ModelSplit(images[:60], images[:60], masks, masks, labels[:60])
    params = segnet(val_fraction=0.5)
    (epoch,) = fit(prepare(data, params, ON_CPU), epochs=1)
    assert isinstance(epoch.val_loss, float) and epoch.val_loss > 0
    assert set(epoch.val_scores.per_digit["mean_iou"]) <= {str(d) for d in range(10)}
    assert epoch.val_scores.per_digit["mean_iou"]


def test_validation_masks_are_the_nonzero_targets():
    images = np.zeros((10, 28, 28), np.uint8)
    targets = np.zeros_like(images)
    targets[:, 3:5, 3:5] = 1  # a mask of ones is a mask too
    params = segnet(val_fraction=0.5)
    run = prepare(ModelSplit(images, images, targets, targets, None), params, ON_CPU)
    assert run.val_masks.sum() == 5 * 4


def test_the_optimizer_is_torchs_adam_at_the_models_rate_fused_on_the_cpu(digits):
    images, labels = digits
    data = ModelSplit(images[:8], images[:8], images[:8], images[:8], labels[:8])
    run = prepare(data, segnet(lr=0.004), ON_CPU)
    assert type(run.optimizer) is torch.optim.Adam
    assert (run.optimizer.defaults["lr"], run.optimizer.defaults["fused"]) == (0.004, True)
    assert run.optimizer.defaults["betas"] == (0.9, 0.999) and not run.optimizer.defaults["amsgrad"]


def test_the_validation_loss_is_per_item_whatever_the_batches():
    """Five items of unequal losses in batches of 3 and 2: the mean over items, not the mean
    of the two batches' means."""
    torch.manual_seed(0)
    network = build_network(segnet(width=2))
    images = np.zeros((5, 28, 28), np.uint8)
    images[:3, 4:24, 4:24] = 255
    masks = np.zeros_like(images)
    masks[3:] = 255  # the last two: masks where the pictures are empty
    data = mask_data(images, masks)
    whole, _ = validate(network, batches(data, 5, ON_CPU))
    in_two, _ = validate(network, batches(data, 3, ON_CPU))
    assert in_two == pytest.approx(whole, rel=1e-6)
    batch_means = [
        compute_loss(network(x), (x, y, None)).item() for x, y, _ in batches(data, 3, ON_CPU)
    ]
    assert sum(batch_means) / 2 != pytest.approx(whole, rel=1e-3)


def test_an_epoch_after_validation_trains_in_training_mode(digits):
    """Validation leaves the network in eval mode; the next epoch must train with batch
    statistics: batch norm's running means move."""
    images, _ = digits
    data = mask_data(images[:16], ((images[:16] > 100) * 255).astype(np.uint8))
    torch.manual_seed(0)
    network = build_network(segnet(arch="unet", depth=1, width=2))
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
    validate(network, batches(data, 8, ON_CPU))
    norm = network.down[0][1]
    before = norm.running_mean.clone()
    train_one_epoch(network, batches(data, 8, ON_CPU, torch.Generator().manual_seed(0)), optimizer)
    assert not torch.equal(norm.running_mean, before)


def test_validation_scores_each_item_against_its_own_mask(digits):
    """A network that draws exactly the target masks scores 1 on validation: its answers come
    in the validation slice's order, never shuffled like the training batches."""

    class Echo(torch.nn.Module):
        """Mask logits positive where the input is above 0.5: the masks it is taught."""

        def __init__(self):
            super().__init__()
            self.bias = torch.nn.Parameter(torch.zeros(()))  # for Adam; its gradient is 0

        def forward(self, x):
            return (x - 0.5) * 100 + self.bias * 0

    images, labels = digits
    masks = ((images[:40] > 127) * 255).astype(np.uint8)
    data = ModelSplit(images[:40], images[:40], masks, masks, labels[:40])
    run = prepare(data, segnet(val_fraction=0.5, batch_size=4), ON_CPU)
    echo = Echo()
    run = dataclasses.replace(run, network=echo, optimizer=torch.optim.Adam(echo.parameters()))
    (epoch,) = fit(run, epochs=1)
    assert epoch.val_scores.headline["mean_iou"] == 1.0
    assert set(epoch.val_scores.per_digit["mean_iou"].values()) == {1.0}
