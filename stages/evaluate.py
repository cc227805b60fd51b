"""Stage `evaluate@<model>`: score a trained model on the official test split."""

import argparse
from pathlib import Path

import torch

from mnistseg.cli import run_stage
from mnistseg.datasets import MODEL_TASKS, model_split
from mnistseg.evaluation import confusion_rows, finish, prediction_grid, score
from mnistseg.fileio import staged_dir, write_json, write_png
from mnistseg.models import model_from_checkpoint
from mnistseg.training import DEVICES, batches, evaluate, mask_data, select_device

BATCH = 1024  # inference only: any size gives the same predictions


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--model", choices=sorted(MODEL_TASKS), required=True)
    args.add_argument("--checkpoint", type=Path, required=True)
    args.add_argument("--dataset", type=Path, required=True)
    args.add_argument("--device", choices=DEVICES, required=True)
    args.add_argument("--metrics", type=Path, required=True, help="metrics JSON file")
    args.add_argument("--plots", type=Path, required=True, help="folder for the model's plots")
    opts = args.parse_args(argv)
    if not opts.checkpoint.is_file():
        raise FileNotFoundError(f"{opts.checkpoint}: missing (run `train@{opts.model}`)")
    model, cfg = model_from_checkpoint(
        torch.load(opts.checkpoint, map_location="cpu", weights_only=True)
    )
    device = select_device(opts.device)
    model = model.to(device).to(memory_format=torch.channels_last)

    test = model_split(opts.dataset, "test", opts.model, cfg.input, cfg.circle_from)
    labels = test.labels if cfg.task == "circle" else None
    data = mask_data(test.inputs, test.targets, labels)
    _, pred = evaluate(model, batches(data, BATCH, device), device)
    pred = finish(pred, cfg)
    target = test.masks > 0
    metrics = score(pred, target, test.labels)

    with staged_dir(opts.plots) as plots:
        write_png(plots / "predictions.png", prediction_grid(test.images, pred.masks, target))
        if pred.labels is not None:
            (plots / "confusion.csv").write_text(confusion_rows(pred.labels, test.labels))
    write_json(opts.metrics, metrics)
    summary = ", ".join(f"{k} {v:.4f}" for k, v in metrics.items() if isinstance(v, float))
    print(f"evaluate@{opts.model} ({cfg.arch}): {summary}")


if __name__ == "__main__":
    main()
