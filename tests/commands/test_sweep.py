import pytest

from mnistseg.commands.sweep import group_runs, markdown_table, mean_std

SEGNET = {"segnet.arch": "simple_segnet", "segnet.width": 8, "segnet.depth": 2,
          "segnet.batch_size": 64, "segnet.lr": 0.001, "segnet.val_fraction": 0.05}  # fmt: skip
CIRCLENET = {"circlenet.arch": "circlization_cnn", "circlenet.input": "image",
             "circlenet.circle_from": "decoder", "circlenet.width": 16, "circlenet.depth": 2,
             "circlenet.batch_size": 64, "circlenet.lr": 0.001,
             "circlenet.val_fraction": 0.05}  # fmt: skip


def row(segnet_seed=0, iou=0.8, circle=(0.7, 0.98), **changed):
    """One `dvc exp show` row: params and scores of segnet and circlenet (no unet run)."""
    return {
        "epochs": 5,
        **SEGNET,
        **CIRCLENET,
        "segnet.seed": segnet_seed,
        "circlenet.seed": 0,
        "segnet.mean_iou": iou,
        "segnet.mean_dice": 0.9,  # not a headline score: not a variant either
        "circlenet.gated_iou": circle[0],
        "circlenet.accuracy": circle[1],
        **changed,
    }


def test_seeds_group_by_variant_and_unchanged_runs_count_once():
    baseline = row()
    rows = [
        baseline,
        row(1, 0.82),
        row(2.0, 0.84),  # dvc's table gives whole numbers as floats where a column has gaps
        row(0, 0.95, **{"segnet.arch": "unet"}),
        row(1, 0.97, **{"segnet.arch": "unet"}),
        row(0, 0.9, epochs=10.0, circle=(0.8, 0.99)),
        row(None, None),  # a queued or failed run: no scores
    ]
    groups = {(g.model, g.variant): g for g in group_runs(rows, baseline)}
    assert groups["segnet", "defaults"].seeds == (0, 1, 2)
    assert groups["segnet", "defaults"].scores["mean_iou"] == (0.8, 0.82, 0.84)
    assert groups["segnet", "segnet.arch=unet"].seeds == (0, 1)
    assert groups["segnet", "epochs=10"].scores["mean_iou"] == (0.9,)
    # circlenet's seed-0 run came along with five experiments: one sample, not five.
    assert groups["circlenet", "defaults"].scores == {"gated_iou": (0.7,), "accuracy": (0.98,)}
    assert groups["circlenet", "epochs=10"].scores["gated_iou"] == (0.8,)
    assert not [g for g in groups if g[0] == "unet"]


def test_the_table_gives_mean_and_sample_standard_deviation():
    baseline = row()
    table = markdown_table(group_runs([baseline, row(1, 0.82), row(2, 0.84)], baseline))
    lines = table.splitlines()
    assert lines[0].startswith("| model | variant | score | seeds |")
    assert "| segnet | defaults | mean_iou | 0,1,2 | 0.8200 ± 0.0200 | 0.8000 - 0.8400 |" in lines
    assert "| circlenet | defaults | gated_iou | 0 | 0.7000 (one seed) | 0.7000 - 0.7000 |" in lines


@pytest.mark.parametrize(
    ("values", "text"), [((0.5,), "0.5000 (one seed)"), ((1.0, 3.0), "2.0000 ± 1.4142")]
)
def test_mean_std(values, text):
    assert mean_std(values) == text
