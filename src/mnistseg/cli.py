"""What every stage script shares: argument types that name the parameter, and clean failure."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable

from mnistseg.download import SourceError
from mnistseg.idx import IdxError


class ParamError(ValueError):
    """A parameter from params.yaml has a value the stage cannot use."""


class SetupError(RuntimeError):
    """The project's surroundings (git, the machine) stop a stage; the message says the fix."""


# Failures that are the user's input, not a bug: reported in one line, without a traceback.
USER_ERRORS = (ParamError, SetupError, IdxError, SourceError, FileNotFoundError, NotADirectoryError)


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


def _ranged(kind: type, low: float | None, high: float | None) -> Callable[[str], object]:
    def convert(text: str) -> object:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {kind.__name__}, got {text!r}") from None
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f">= {low}" if high is None else f"in [{low}, {high}]"
            raise argparse.ArgumentTypeError(f"must be {bounds}, got {text}")
        return value

    convert.__name__ = kind.__name__
    return convert


def int_at_least(low: int, high: int | None = None) -> Callable[[str], object]:
    """argparse type: an int >= low (and <= high)."""
    return _ranged(int, low, high)


def float_in(low: float, high: float | None = None) -> Callable[[str], object]:
    """argparse type: a float >= low (and <= high)."""
    return _ranged(float, low, high)


def parse_bool(text: str) -> bool:
    """argparse type: true/false as DVC templating writes YAML booleans."""
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")
