"""Stage `train@<model>`: train one model on its dataset's training split, log with dvclive."""

import argparse
from dataclasses import asdict
from pathlib import Path

import torch
from dvclive import Live
from scmrepo.exceptions import SCMError

from mnistseg.cli import ParamError, SetupError, int_at_least, run_stage
from mnistseg.datasets import MODEL_TASKS, model_split
from mnistseg.evaluation import finish, score
from mnistseg.fileio import staged_dir, write_bytes
from mnistseg.models import ModelConfig, build_model, checkpoint_bytes
from mnistseg.params import read_params, train_params
from mnistseg.training import (
    DEVICES,
    batches,
    evaluate,
    mask_data,
    progress,
    select_device,
    set_seeds,
    split_indices,
    train_one_epoch,
)

EVAL_BATCH = 1024  # inference only: any size gives the same predictions


def open_live(folder: Path) -> Live:
    """A dvclive logger that writes only under `folder`: no dvc.yaml, no experiment of its own."""
    try:
        return Live(dir=str(folder), dvcyaml=False, save_dvc_exp=False, report=None)
    except SCMError as exc:
        # dvclive reads the current commit even when it saves no experiment.
        raise SetupError(
            f"dvclive cannot log in this git repo ({exc}): commit the project once "
            "(git add -A && git commit) and run again"
        ) from None


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--model", choices=sorted(MODEL_TASKS), required=True)
    args.add_argument("--dataset", type=Path, required=True)
    args.add_argument("--params", type=Path, required=True, help="params.yaml: the model's section")
    args.add_argument("--epochs", type=int_at_least(1), required=True)
    args.add_argument("--device", choices=DEVICES, required=True)
    args.add_argument("--out", type=Path, required=True, help="checkpoint file")
    args.add_argument("--live", type=Path, required=True, help="dvclive folder")
    opts = args.parse_args(argv)
    hp = train_params(read_params(opts.params), opts.model, str(opts.params))

    set_seeds(hp.seed)
    data = model_split(opts.dataset, "train", opts.model, hp.input, hp.circle_from)
    try:
        cfg = ModelConfig(
            task=MODEL_TASKS[opts.model],
            arch=hp.arch,
            width=hp.width,
            depth=hp.depth,
            image_size=data.inputs.shape[-1],
            input=hp.input,
            circle_from=hp.circle_from,
        )
    except ValueError as exc:
        raise ParamError(f"{opts.params}: `{opts.model}`: {exc}") from None
    labels = data.labels if cfg.task == "circle" else None
    everything = mask_data(data.inputs, data.targets, labels)
    train_index, val_index = split_indices(len(everything), hp.val_fraction, hp.seed)
    train_set, val_set = everything.subset(train_index), everything.subset(val_index)
    val_labels = None if data.labels is None else data.labels[val_index.numpy()]
    val_masks = data.masks[val_index.numpy()] > 0  # what the model is scored on

    device = select_device(opts.device)
    model = build_model(cfg).to(device).to(memory_format=torch.channels_last)
    # The fused kernel does the same update in one pass over the parameters (CPU and CUDA).
    optimizer = torch.optim.Adam(model.parameters(), lr=hp.lr, fused=device.type in ("cpu", "cuda"))
    shuffle = torch.Generator().manual_seed(hp.seed)
    steps = -(-len(train_set) // hp.batch_size)
    print(
        f"train@{opts.model}: {cfg.arch}, {len(train_set)} train / {len(val_set)} validation "
        f"items, {opts.epochs} epochs of {steps} steps on {device}"
    )

    with staged_dir(opts.live) as live_dir:
        with open_live(live_dir) as live:
            live.log_params({"model": opts.model, "epochs": opts.epochs, **asdict(hp)})
            for epoch in range(opts.epochs):
                loss = train_one_epoch(
                    model,
                    progress(
                        batches(train_set, hp.batch_size, device, shuffle),
                        f"epoch {epoch + 1}",
                        steps,
                    ),
                    optimizer,
                    device,
                )
                live.log_metric("train/loss", loss)
                line = f"epoch {epoch + 1}/{opts.epochs}: train loss {loss:.4f}"
                if len(val_set):
                    val_loss, pred = evaluate(model, batches(val_set, EVAL_BATCH, device), device)
                    pred = finish(pred, cfg)
                    val = score(pred, val_masks, val_labels)
                    live.log_metric("val/loss", val_loss)
                    for name in ("mean_iou", "mean_dice", "accuracy", "gated_iou"):
                        if name in val:
                            live.log_metric(f"val/{name}", val[name])
                    line += f", validation loss {val_loss:.4f}, IoU {val['mean_iou']:.4f}"
                print(line, flush=True)
                live.next_step()
        write_bytes(opts.out, checkpoint_bytes(model.to("cpu"), cfg))


if __name__ == "__main__":
    main()
