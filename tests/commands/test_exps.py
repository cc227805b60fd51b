"""`mnistseg exps`: which columns of `dvc exp show` it keeps, without running DVC."""

import re

from mnistseg.commands.exps import headline_columns, metric_names, show_args
from mnistseg.nets.models import MODELS

# The columns of `dvc.api.exp_show`'s rows in a project like this one: the table's own,
# params, dependencies (paths) and metrics, some of each model's and the video's.
PARAMS = ["epochs", "segnet.lr", "segnet.width", "circlenet.input", "video.cleanup.threshold"]
METRICS = [
    "segnet.mean_iou", "segnet.mean_dice", "segnet.pixel_iou", "circlenet.gated_iou",
    "circlenet.accuracy", "circlenet.mean_iou", "unet.mean_iou", "unet.mean_dice",
    "video.cdnet.f_measure", "video.mean_iou_after_warmup",
]  # fmt: skip
DEPS = ["data/otsu", "src/mnistseg/nets/metrics.py", "models/segnet.pt"]
TABLE = ["Experiment", "rev", "typ", "Created", "parent", "State", "Executor"]


def rows() -> list[dict]:
    """Two rows whose columns differ a little, as a queued run's row lacks the metrics."""
    every = [*TABLE, *PARAMS, *DEPS, *METRICS]
    return [dict.fromkeys(every, 1), dict.fromkeys([*TABLE, *PARAMS, *DEPS], 2)]


def test_the_metrics_are_what_is_no_table_column_param_or_path():
    assert metric_names(rows(), PARAMS) == set(METRICS)


def test_the_table_keeps_one_headline_score_per_model_and_drops_the_other_metrics():
    """The columns left once DVC applies the options as it does: `--keep` patterns protect the
    columns they match (re.match), `--drop` patterns remove the others they match."""
    args = show_args(metric_names(rows(), PARAMS))
    options = dict(zip(args[1::2], args[2::2]))
    assert args[0] == "--only-changed"  # params shown only where rows differ
    keep, drop = re.compile(options["--keep"]), re.compile(options["--drop"])
    columns = [*TABLE, *PARAMS, *DEPS, *METRICS]
    shown = [c for c in columns if keep.match(c) or not drop.match(c)]
    assert headline_columns() == ["segnet.mean_iou", "circlenet.gated_iou", "unet.mean_dice"]
    assert shown == [
        "Experiment", "rev", "typ", "parent", *PARAMS,
        "segnet.mean_iou", "circlenet.gated_iou", "unet.mean_dice",
    ]  # fmt: skip
    assert len(headline_columns()) == len(MODELS)
