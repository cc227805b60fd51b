"""Stage `evaluate@<model>`: score a trained model on the official test split."""

import json
from pathlib import Path

import torch

from mnistseg.cli import run_stage, stage_parser
from mnistseg.datasets import model_split
from mnistseg.evaluation import confusion_rows, fit_circles, per_digit_rows, score
from mnistseg.fileio import staged_dir, write_json
from mnistseg.models import model_from_checkpoint
from mnistseg.params import load_section
from mnistseg.preview import encode_png, prediction_grid
from mnistseg.registry import MODELS
from mnistseg.training import (
    DeviceParams,
    batches,
    eval_batch_size,
    evaluate,
    mask_data,
    select_device,
)


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--model", choices=sorted(MODELS), required=True)
    args.add_argument("--checkpoint", type=Path, required=True)
    args.add_argument("--dataset", required=True, help="the model's dataset folder")
    args.add_argument("--metrics", required=True, help="headline metrics JSON file")
    args.add_argument("--plots", required=True, help="folder for the model's plots")
    opts = args.parse_args(argv)
    device = select_device(load_section(DeviceParams, None, opts.params).device)
    if not opts.checkpoint.is_file():
        raise FileNotFoundError(f"{opts.checkpoint}: missing (run `train@{opts.model}`)")
    model, cfg = model_from_checkpoint(
        torch.load(opts.checkpoint, map_location="cpu", weights_only=True)
    )
    model = model.to(device).to(memory_format=torch.channels_last)

    test = model_split(opts.dataset, "test", MODELS[opts.model].arrays, cfg.input, cfg.circle_from)
    labels = test.labels if cfg.task == "circle" else None
    data = mask_data(test.inputs, test.targets, labels)
    _, pred = evaluate(model, batches(data, eval_batch_size(data), device), device)
    pred = fit_circles(pred, cfg)
    target = test.masks > 0
    scores = score(pred, target, test.labels)

    with staged_dir(opts.plots) as plots:
        grid = prediction_grid(test.images, pred.masks, target)
        (plots / "predictions.png").write_bytes(encode_png(grid))
        if pred.labels is not None:
            (plots / "confusion.csv").write_text(confusion_rows(pred.labels, test.labels))
        if scores.per_digit:
            rows = per_digit_rows(scores.per_digit)
            (plots / "per_digit.json").write_text(json.dumps(rows, indent=1) + "\n")
    # Under the model's name, so that `dvc exp show` and `dvc metrics show` name each column
    # `segnet.mean_iou`, not `metrics/segnet.json:mean_iou`.
    write_json(opts.metrics, {opts.model: scores.headline})
    summary = ", ".join(f"{k} {v:.4f}" for k, v in scores.headline.items())
    print(f"evaluate@{opts.model} ({cfg.arch}) on {len(target)} test items: {summary}")


if __name__ == "__main__":
    main()
