"""Stage `bench_summary`: CDnet's figures per sequence, category and overall, per subtractor."""

import json
from pathlib import Path

import checkout_src  # noqa: F401  (this checkout's src/ first on the path)
from mnistseg.entry_points import run_stage, stage_parser
from mnistseg.fileio import write_json
from mnistseg.params import load_section
from mnistseg.video.cdnet_bench import BenchParams, plot_rows, summarise


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--bench", type=Path, required=True, help="the bench stages' folder")
    args.add_argument("--summary", required=True, help="every figure (.json)")
    args.add_argument("--metrics", required=True, help="the overall figures (.json)")
    args.add_argument("--plot", required=True, help="F-measure per pair (.json)")
    opts = args.parse_args(argv)
    params = load_section(BenchParams, "bench", opts.params)
    results = []
    for sequence in params.sequences:
        for subtractor in params.subtractors:
            path = opts.bench / sequence / f"{subtractor}.json"
            if not path.is_file():
                raise FileNotFoundError(f"{path}: missing (run `dvc repro`)")
            results.append(json.loads(path.read_text()))
    summary = summarise(results)
    write_json(opts.summary, summary)
    headline = {
        method: {key: figures["overall"][key] for key in ("precision", "recall", "f_measure")}
        for method, figures in summary.items()
    }
    write_json(opts.metrics, {"bench": headline})
    Path(opts.plot).write_text(json.dumps(plot_rows(results), indent=1) + "\n")
    for method, figures in summary.items():
        print(f"bench: {method}: overall F-measure {figures['overall']['f_measure']:.4f}")


if __name__ == "__main__":
    main()
