"""Stage `train@<model>`: train one model on its dataset's training split, log with dvclive."""

from pathlib import Path

import checkout_src  # noqa: F401  (this checkout's src/ first on the path)
from mnistseg.cli import run_stage, stage_parser
from mnistseg.data.arrays import model_split
from mnistseg.errors import ParamError, SetupError
from mnistseg.fileio import staged_dir, write_bytes
from mnistseg.nets.config import EpochParams
from mnistseg.nets.device import DeviceParams, placement, select_device
from mnistseg.nets.networks import checkpoint_bytes
from mnistseg.nets.registry import MODELS
from mnistseg.nets.training import fit, prepare, set_seeds
from mnistseg.params import load_section, restore_hint

LOGGED = ("mean_iou", "mean_dice", "accuracy", "gated_iou")  # validation scores in dvclive


def open_live(folder: Path):
    """A dvclive logger that writes only under `folder`: no dvc.yaml, no experiment of its own."""
    from dvclive import Live  # imported here: only this stage logs
    from scmrepo.exceptions import SCMError

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
    args = stage_parser(__doc__)
    args.add_argument("--model", choices=sorted(MODELS), required=True)
    args.add_argument("--dataset", required=True, help="the model's dataset folder")
    args.add_argument("--out", required=True, help="checkpoint file")
    args.add_argument("--live", required=True, help="dvclive folder")
    opts = args.parse_args(argv)
    spec = MODELS[opts.model]
    params = load_section(spec.params, opts.model, opts.params)
    epochs = load_section(EpochParams, None, opts.params).epochs
    device = select_device(load_section(DeviceParams, None, opts.params).device, opts.params)

    set_seeds(params.seed)
    data = model_split(opts.dataset, "train", spec.arrays, *params.sees())
    try:
        run = prepare(data, spec.task, params, placement(device))
    except ValueError as exc:  # the only check left to the network: depth vs. image size
        raise ParamError(
            f"{opts.params}: {opts.model}.depth {params.depth} is too deep for images of "
            f"{data.inputs.shape[-1]} px ({exc}). {restore_hint(opts.params)}"
        ) from None
    print(
        f"train@{opts.model}: {run.cfg.arch}, {len(run.train_set)} train / {len(run.val_set)} "
        f"validation items, {epochs} epochs on {device}",
        flush=True,
    )
    with staged_dir(opts.live) as live_dir:
        with open_live(live_dir) as live:
            live.log_params({"model": opts.model, "epochs": epochs, **params.model_dump()})
            # The start-up ends here; the benchmark times this line from outside.
            print(f"train@{opts.model}: ready (data, network, optimizer, dvclive)", flush=True)
            for epoch in fit(run, epochs):
                live.log_metric("train/loss", epoch.train_loss)
                line = f"epoch {epoch.number}/{epochs}: train loss {epoch.train_loss:.4f}"
                if epoch.val_scores is not None:
                    live.log_metric("val/loss", epoch.val_loss)
                    for name in LOGGED:
                        if name in epoch.val_scores.headline:
                            live.log_metric(f"val/{name}", epoch.val_scores.headline[name])
                    line += (
                        f", validation loss {epoch.val_loss:.4f}, "
                        f"IoU {epoch.val_scores.headline['mean_iou']:.4f}"
                    )
                print(line, flush=True)
                live.next_step()
        write_bytes(opts.out, checkpoint_bytes(run.model.to("cpu"), run.cfg))


if __name__ == "__main__":
    main()
