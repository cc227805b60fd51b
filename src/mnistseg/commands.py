"""The `mnistseg` command: the library's tools outside `dvc repro`.

    mnistseg export otsu test export/otsu-test --limit 100   # a dataset split as PNG files
    mnistseg cdnet CLIP MASKS export/cdnet                   # a clip in CDnet's layout
    mnistseg sweep --out seeds.md                            # mean and spread over seeds
    mnistseg exps                                            # the experiments table
    mnistseg report-template .dvc/report.html                # the offline plots page

`mnistseg COMMAND --help` says more; `python -m mnistseg` is the same command.
"""

from __future__ import annotations

import importlib
import sys

from mnistseg.cli import command_parser, run_stage

# Each command's module has `arguments(parser)` and `run(opts)`; it is imported only when run
# (sweep and exps import DVC and torch, which take seconds).
COMMANDS = {
    "export": ("mnistseg.export", "a dataset split as PNG images, masks and labels"),
    "cdnet": ("mnistseg.cdnet", "a clip and its masks in CDnet 2014's layout"),
    "sweep": ("mnistseg.sweep", "mean and spread over seeds of the DVC experiments"),
    "exps": ("mnistseg.exps", "the experiments table: headline scores and changed params"),
    "report-template": ("mnistseg.report", "the page template that draws DVC plots offline"),
}


@run_stage
def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = command_parser(__doc__, prog="mnistseg")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, summary) in COMMANDS.items():
        commands.add_parser(name, help=summary, add_help=False)
    chosen, rest = parser.parse_known_args(argv[:1])
    module = importlib.import_module(COMMANDS[chosen.command][0])
    command = command_parser(module.__doc__, prog=f"mnistseg {chosen.command}")
    module.arguments(command)
    if getattr(module, "PASSES_ON", False):  # the rest goes to the tool it wraps
        opts, extra = command.parse_known_args(rest + argv[1:])
        opts.passed = extra
    else:
        opts = command.parse_args(rest + argv[1:])
    status = module.run(opts)
    if status:
        raise SystemExit(status)


if __name__ == "__main__":
    main()
