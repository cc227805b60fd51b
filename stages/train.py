"""Stage `train@<model>`: train one model on its dataset's training split, log with dvclive."""

from pathlib import Path

import checkout_src  # noqa: F401  (this checkout's src/ first on the path)
from mnistseg.data.arrays import model_split
from mnistseg.entry_points import run_stage, stage_parser
from mnistseg.errors import SetupError
from mnistseg.fileio import staged_dir, write_bytes
from mnistseg.nets.device import DeviceParams, placement, select_device
from mnistseg.nets.models import MODELS, EpochParams
from mnistseg.nets.networks import checkpoint_bytes
from mnistseg.nets.training import fit, prepare, set_seeds
from mnistseg.params import load_section, param_error

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
    params = load_section(MODELS[opts.model], opts.model, opts.params)
    epochs = load_section(EpochParams, None, opts.params).epochs
    device = select_device(load_section(DeviceParams, None, opts.params).device, opts.params)

    set_seeds(params.seed)
    data = model_split(opts.dataset, "train", params.arrays, *params.sees())
    side, levels = data.inputs.shape[-1], params.pooling_levels()
    if side % 2**levels:  # only a U-Net's depth can ask for more halvings than a side takes
        raise param_error(
            opts.params,
            f"{opts.model}.depth {params.depth}: images of {side} px cannot be halved "
            f"{levels} times (their side must divide by {2**levels})",
        )
    run = prepare(data, params, placement(device))
    print(
        f"train@{opts.model}: {params.arch}, {len(run.train_set)} train / {len(run.val_set)} "
        f"validation items, {epochs} epochs on {device}",
        flush=True,
    )
    with staged_dir(opts.live) as live_dir:
        with open_live(live_dir) as live:
            knobs = params.model_dump(exclude_none=True)
            live.log_params({"model": opts.model, "epochs": epochs, **knobs})
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
        write_bytes(opts.out, checkpoint_bytes(run.network.to("cpu"), params))


if __name__ == "__main__":
    main()
