"""What every stage script and every `mnistseg` command shares: the argument parser, and a
clean failure on user errors."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path

from mnistseg.errors import USER_ERRORS
from mnistseg.params import PARAMS_FILE


def command_parser(description: str | None, prog: str | None = None) -> argparse.ArgumentParser:
    """An argument parser whose help shows `description` (a module docstring) as written."""
    return argparse.ArgumentParser(
        prog=prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def sub_command(
    commands: argparse._SubParsersAction, name: str, description: str | None, summary: str
) -> argparse.ArgumentParser:
    """A sub-command's parser: `summary` in the command list, `description` (its module's
    docstring) in its own help, as written."""
    return commands.add_parser(
        name,
        help=summary,
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def stage_parser(description: str | None) -> argparse.ArgumentParser:
    """An argument parser for a stage: paths come as arguments, knobs from `--params`."""
    parser = command_parser(description)
    parser.add_argument(
        "--params", type=Path, default=PARAMS_FILE, help="the params file (default: %(default)s)"
    )
    return parser


def run_stage(main: Callable[[list[str] | None], None]) -> Callable[[list[str] | None], None]:
    """Wrap a stage's main(): a user error prints `error: ...` and exits with status 1."""

    @functools.wraps(main)
    def wrapper(argv: list[str] | None = None) -> None:
        try:
            main(argv)
        except USER_ERRORS as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise SystemExit(1) from None

    return wrapper
