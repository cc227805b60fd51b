"""The `mnistseg` command: the library's tools outside `dvc repro`.

    mnistseg predict segnet digit.png --out predictions     # a trained model on your images
    mnistseg export otsu test export/otsu-test --limit 100   # a dataset split as PNG files
    mnistseg cdnet CLIP MASKS export/cdnet                   # a clip in CDnet's layout
    mnistseg sweep --out seeds.md                            # mean and spread over seeds
    mnistseg exps                                            # the experiments table
    mnistseg diff-report main --out report                   # what a change does to results
    mnistseg report-template .dvc/report.html                # the offline plots page

`mnistseg COMMAND --help` says more; `python -m mnistseg` is the same command.
"""

from __future__ import annotations

import argparse

from mnistseg.commands import cdnet, diff_report, export, exps, predict, report_template, sweep
from mnistseg.entry_points import command_parser, run_stage

# Each module adds its sub-command with `add_command`, whose parser's `run` runs it. DVC and
# torch are imported when a command that needs them runs, not for `--help` or the others.
COMMANDS = (predict, export, cdnet, sweep, exps, diff_report, report_template)


def parser() -> argparse.ArgumentParser:
    """The `mnistseg` command line, every sub-command in it."""
    main_parser = command_parser(__doc__, prog="mnistseg")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.add_command(commands)
    return main_parser


@run_stage
def main(argv: list[str] | None = None) -> None:
    main_parser = parser()
    opts, extra = main_parser.parse_known_args(argv)
    if extra and not getattr(opts, "passes_on", False):
        main_parser.error(f"unrecognized arguments: {' '.join(extra)}")
    opts.passed = extra  # what `mnistseg exps` hands on to `dvc exp show`
    status = opts.run(opts)
    if status:
        raise SystemExit(status)


if __name__ == "__main__":
    main()
