"""One way in for every knob: a section of params.yaml read into a frozen, validated dataclass.

Each stage's knobs are a dataclass that subclasses `Section` and sits beside the code that uses
it; its fields are declared with `knob(...)`, which carries the rules a value must meet. The
dataclass is the only place that checks them, whether it is built by `load_section` from
params.yaml or directly (tests, the benchmark). Fields have no defaults: values live in
params.yaml alone.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml

from mnistseg.errors import KnobError, ParamError

PARAMS_FILE = Path("params.yaml")


def knob(
    *,
    low: float | None = None,
    above: float | None = None,
    high: float | None = None,
    below: float | None = None,
    choices: tuple[str, ...] | None = None,
    rule: tuple[Callable[[Any], bool], str] | None = None,
) -> Any:
    """A params field: `low`/`high` are inclusive bounds, `above`/`below` exclusive ones.

    `rule` is (predicate, what it asks for), for what bounds and choices cannot say.
    """
    rules = {"low": low, "above": above, "high": high, "below": below, "choices": choices}
    return dataclasses.field(metadata={**rules, "rule": rule})


def _type_name(hint: Any) -> str:
    if typing.get_origin(hint) is dict:
        return "a mapping"
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(
        hint, "a string or a list of strings"
    )


def _typed(key: str, value: Any, hint: Any) -> Any:
    """`value` as the field's type; YAML's bools are never numbers, ints are fine as floats."""
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and math.isfinite(value)
        value = float(value) if ok else value
    elif hint is str:
        ok = isinstance(value, str)
    elif typing.get_origin(hint) is dict:  # its entries are the dataclass's check() to judge
        ok = isinstance(value, dict)
    else:  # tuple[str, ...]: one string or a list of them
        items = [value] if isinstance(value, str) else value
        ok = isinstance(items, list | tuple) and len(items) > 0
        ok = ok and all(isinstance(item, str) for item in items)
        value = tuple(items) if ok else value
    if not ok:
        raise KnobError(key, f"must be {_type_name(hint)}, got {value!r}")
    return value


# knob() bound name -> (symbol, comparison): lower bounds first, then upper ones.
BOUNDS = {
    "low": (">=", operator.ge),
    "above": (">", operator.gt),
    "high": ("<=", operator.le),
    "below": ("<", operator.lt),
}


def _describe(limits: list[tuple[str, float]]) -> str:
    """`>= 1`, or an interval such as `in [0, 1)`."""
    if len(limits) == 1:
        return f"{limits[0][0]} {limits[0][1]}"
    (low_op, low), (high_op, high) = limits
    return f"in {'[' if low_op == '>=' else '('}{low}, {high}{']' if high_op == '<=' else ')'}"


def _check_rules(key: str, value: Any, hint: Any, rules: Mapping[str, Any]) -> None:
    choices, rule = rules.get("choices"), rules.get("rule")
    if choices is not None:
        items = value if isinstance(value, tuple) else (value,)
        if any(item not in choices for item in items):
            raise KnobError(key, f"must be one of {', '.join(choices)}, got {value!r}")
    given = [name for name in BOUNDS if rules.get(name) is not None]
    if not all(BOUNDS[name][1](value, rules[name]) for name in given):
        limits = [(BOUNDS[name][0], rules[name]) for name in given]
        raise KnobError(key, f"must be {_type_name(hint)} {_describe(limits)}, got {value!r}")
    if rule is not None and not rule[0](value):
        raise KnobError(key, f"must be {rule[1]}, got {value!r}")


class Section:
    """Base of a params dataclass: checks each field's type and rules, then `check()`."""

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = _typed(field.name, getattr(self, field.name), hints[field.name])
            _check_rules(field.name, value, hints[field.name], field.metadata)
            object.__setattr__(self, field.name, value)  # ints given for floats become floats
        self.check()

    def check(self) -> None:
        """Rules that involve several fields; raise KnobError naming the field to change."""


S = TypeVar("S", bound=Section)


def read_params(path: Path = PARAMS_FILE) -> dict:
    """Load params.yaml; a missing or malformed file is a ParamError naming it."""
    try:
        params = yaml.safe_load(Path(path).read_text())
    except FileNotFoundError:
        raise ParamError(f"{path}: not found") from None
    except yaml.YAMLError as exc:
        raise ParamError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(params, dict):
        raise ParamError(f"{path}: expected a mapping of parameters")
    return params


def from_mapping(cls: type[S], values: Mapping, section: str | None, source: str) -> S:
    """Build `cls` from a mapping; every error names `section.key` (or `key` at top level).

    At the top level (`section` None) only the fields of `cls` are read; inside a section,
    a key that `cls` does not know is an error too.
    """
    prefix = f"{section}." if section else ""
    names = [field.name for field in dataclasses.fields(cls)]  # type: ignore[arg-type]
    if section is not None:
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise ParamError(f"{source}: unknown key(s) {', '.join(unknown)} in `{section}`")
    missing = [name for name in names if name not in values]
    if missing:
        keys = ", ".join(prefix + name for name in missing)
        raise ParamError(f"{source}: {keys} {'is' if len(missing) == 1 else 'are'} missing")
    try:
        return cls(**{name: values[name] for name in names})
    except KnobError as exc:
        raise ParamError(f"{source}: {prefix}{exc.key} {exc.detail}") from None


def load_section(cls: type[S], section: str | None, path: Path = PARAMS_FILE) -> S:
    """Read `section` of the params file (None: keys at its top level) into `cls`.

    Its errors end with the way back: a failed `dvc exp run -S key=value` leaves the bad
    value in the file, and every later run would stop on it.
    """
    try:
        params = read_params(path)
        values = params if section is None else params.get(section)
        if not isinstance(values, dict):
            raise ParamError(f"{path}: no `{section}` section")
        return from_mapping(cls, values, section, str(path))
    except ParamError as exc:
        raise ParamError(f"{exc}. {restore_hint(path)}") from None


def restore_hint(path: Path) -> str:
    """How to go back to the committed params, in one sentence."""
    return (
        f"Fix it, or restore the committed values with `git checkout HEAD -- {path}` "
        "(then `dvc repro` takes back from the run-cache what it ran before)"
    )
