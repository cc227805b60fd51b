import math

import pytest

from mnistseg.commands import sweep
from mnistseg.commands.sweep import markdown_table, mean_std, samples, summary
from mnistseg.nets.models import MODELS

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


def groups(rows, baseline):
    """{(model, variant): {"seeds": (...), score: (values in seed order), ...}}"""
    found = samples(rows, baseline, MODELS).sort_values("seed", kind="stable")
    grouped = {}
    for (model, variant, score), runs in found.groupby(["model", "variant", "score"]):
        entry = grouped.setdefault((model, variant), {})
        entry["seeds"] = tuple(runs["seed"])
        entry[score] = tuple(runs["value"])
    return grouped


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
        row(2.5, 0.5),  # not a seed
    ]
    found = groups(rows, baseline)
    assert found["segnet", "defaults"]["seeds"] == (0, 1, 2)
    assert found["segnet", "defaults"]["mean_iou"] == (0.8, 0.82, 0.84)
    assert found["segnet", "segnet.arch=unet"]["seeds"] == (0, 1)
    assert found["segnet", "epochs=10"]["mean_iou"] == (0.9,)
    # circlenet's seed-0 run came along with five experiments: one sample, not five.
    assert found["circlenet", "defaults"] == {
        "seeds": (0,), "gated_iou": (0.7,), "accuracy": (0.98,),
    }  # fmt: skip
    assert found["circlenet", "epochs=10"]["gated_iou"] == (0.8,)
    assert not [key for key in found if key[0] == "unet"]


def test_the_summary_orders_models_then_defaults_then_variants():
    baseline = row()
    rows = [row(0, 0.95, **{"segnet.arch": "unet"}), baseline, row(1, 0.82)]
    table = summary(samples(rows, baseline, MODELS), MODELS)
    assert list(zip(table["model"], table["variant"], table["score"])) == [
        ("segnet", "defaults", "mean_iou"),
        ("segnet", "segnet.arch=unet", "mean_iou"),
        ("circlenet", "defaults", "gated_iou"),
        ("circlenet", "defaults", "accuracy"),
    ]
    first = table.iloc[0]
    assert (first["seeds"], first["mean"], first["low"], first["high"]) == ("0,1", 0.81, 0.8, 0.82)
    assert first["std"] == pytest.approx(math.sqrt(2) * 0.01)
    assert math.isnan(table.iloc[1]["std"])  # one seed: no deviation


def test_the_table_gives_mean_and_sample_standard_deviation():
    baseline = row()
    rows = [baseline, row(1, 0.82), row(2, 0.84)]
    table = markdown_table(summary(samples(rows, baseline, MODELS), MODELS))
    lines = table.splitlines()
    assert lines[0].startswith("| model | variant | score | seeds |")
    assert "| segnet | defaults | mean_iou | 0,1,2 | 0.8200 ± 0.0200 | 0.8000 - 0.8400 |" in lines
    assert "| circlenet | defaults | gated_iou | 0 | 0.7000 (one seed) | 0.7000 - 0.7000 |" in lines


def test_no_scores_at_all_is_an_empty_sample():
    assert samples([{"epochs": 5}], {"epochs": 5}, MODELS).empty


@pytest.mark.parametrize(
    ("mean", "std", "text"),
    [(0.5, float("nan"), "0.5000 (one seed)"), (2.0, 1.41421, "2.0000 ± 1.4142")],
)
def test_mean_std(mean, std, text):
    assert mean_std(mean, std) == text


def test_the_table_file_is_replaced_only_when_told(tmp_path, monkeypatch, capsys):
    from mnistseg.commands import main as mnistseg

    baseline = {"rev": "HEAD", "typ": "baseline", "epochs": 5, "segnet.seed": 0,
                "segnet.mean_iou": 0.8}  # fmt: skip
    monkeypatch.setattr(sweep, "read_experiments", lambda repo, rev: (baseline, [baseline]))
    table = tmp_path / "seeds.md"
    table.write_text("mine")
    with pytest.raises(SystemExit):
        mnistseg(["sweep", "--out", str(table)])
    assert "there already" in capsys.readouterr().err and table.read_text() == "mine"
    mnistseg(["sweep", "--out", str(table), "--overwrite"])
    assert "| segnet | defaults | mean_iou | 0 |" in table.read_text()


def test_a_seed_counts_once_as_its_first_row_and_a_fractional_seed_not_at_all():
    """A rerun of seed 0 with another score keeps the first; seed 3.5 has no integer twin to
    hide behind: it is dropped, not read as seed 3."""
    baseline = row()
    rows = [baseline, row(1, 0.82), row(0, 0.99), row(3.5, 0.5)]
    found = groups(rows, baseline)
    assert found["segnet", "defaults"]["seeds"] == (0, 1)
    assert found["segnet", "defaults"]["mean_iou"] == (0.8, 0.82)


def test_the_summary_lists_seeds_in_order_and_variants_by_name():
    """Rows come in any order (`dvc exp show` lists the newest first)."""
    baseline = row()
    rows = [
        row(2, 0.84),
        row(0, 0.9, **{"segnet.lr": 0.01}),
        baseline,
        row(0, 0.95, **{"segnet.arch": "unet"}),
        row(1, 0.82),
    ]
    table = summary(samples(rows, baseline, MODELS), MODELS)
    segnet = table[table["model"] == "segnet"]
    assert list(zip(segnet["variant"], segnet["seeds"])) == [
        ("defaults", "0,1,2"),
        ("segnet.arch=unet", "0"),
        ("segnet.lr=0.01", "0"),
    ]


def test_only_the_baseline_and_finished_experiments_are_read(monkeypatch):
    """The workspace holds whatever ran or was applied last; queued, running and failed
    experiments have no result of their own."""
    shown = [
        {"rev": "workspace", "typ": "workspace", "State": None},
        {"rev": "abc1234", "typ": "baseline", "State": None},
        {"rev": "1111111", "typ": "branch_commit", "State": "Success"},
        {"rev": "2222222", "typ": "branch_commit", "State": "Failed"},
        {"rev": "3333333", "typ": "branch_commit", "State": "Queued"},
        {"rev": "4444444", "typ": "branch_commit", "State": "Running"},
    ]
    asked = []

    def exp_show(repo, revs):
        asked.append((repo, revs))
        return [dict(r) for r in shown]

    monkeypatch.setattr("dvc.api.exp_show", exp_show)
    baseline, rows = sweep.read_experiments("project", "abc1234")
    assert asked == [("project", "abc1234")]
    assert baseline["rev"] == "abc1234"
    assert [r["rev"] for r in rows] == ["abc1234", "1111111"]
