"""Stage `evaluate@<model>`: score a trained model on the official test split."""

import json
from pathlib import Path

import checkout_src  # noqa: F401  (this checkout's src/ first on the path)
from mnistseg.data.arrays import model_split
from mnistseg.entry_points import run_stage, stage_parser
from mnistseg.fileio import staged_dir, write_json
from mnistseg.nets.device import DeviceParams, placement, select_device
from mnistseg.nets.inference import load_model, predict
from mnistseg.nets.models import MODELS
from mnistseg.nets.scoring import confusion_rows, per_digit_rows, score
from mnistseg.params import load_section
from mnistseg.pictures import encode_png, prediction_grid


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--model", choices=sorted(MODELS), required=True)
    args.add_argument("--checkpoint", type=Path, required=True)
    args.add_argument("--dataset", required=True, help="the model's dataset folder")
    args.add_argument("--metrics", required=True, help="headline metrics JSON file")
    args.add_argument("--plots", required=True, help="folder for the model's plots")
    opts = args.parse_args(argv)
    device = select_device(load_section(DeviceParams, None, opts.params).device, opts.params)
    if not opts.checkpoint.is_file():
        raise FileNotFoundError(f"{opts.checkpoint}: missing (run `train@{opts.model}`)")
    place = placement(device)
    network, model = load_model(opts.checkpoint, place)
    test = model_split(opts.dataset, "test", model.arrays, *model.sees())
    print(
        f"evaluate@{opts.model}: {model.arch}, {len(test.inputs)} test items on {device}",
        flush=True,
    )
    pred = predict(network, model, test.inputs, place)
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
    print(f"evaluate@{opts.model}: {summary}")


if __name__ == "__main__":
    main()
