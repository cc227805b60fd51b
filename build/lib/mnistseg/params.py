"""One way in for every knob: a section of params.yaml read into a frozen pydantic model.

Each stage's knobs are a `Section` beside the code that uses them. Its fields say what a value
must be (`Annotated[int, Field(ge=1)]`, `Literal[...]` for choices) and pydantic checks it:
strictly (YAML's `true` is no number, `"3"` no integer), with no unknown keys and no
defaults, since values live in params.yaml alone. `load_section` reads one section, or a block
inside one (`video.cleanup`), and turns pydantic's errors into one line that names
`section.key` and the bad value, and says the way back.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from mnistseg.errors import ParamError

PARAMS_FILE = Path("params.yaml")


class Section(BaseModel):
    """Base of a params section: frozen, strict, every key known, no infinities or NaN."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


S = TypeVar("S", bound=Section)


def _listed(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


# One string or a list of them (YAML has no tuples), as a tuple: `source: official` or
# `source: [official, ../shared/mnist]`.
Names = Annotated[tuple[str, ...], BeforeValidator(_listed), Field(strict=False, min_length=1)]


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


def describe(error: Mapping[str, Any], section: str | None) -> str:
    """One of pydantic's errors as `section.key what, got value`."""
    key = ".".join([*([section] if section else []), *map(str, error["loc"])])
    if error["type"] == "missing":
        return f"{key} is missing"
    if error["type"] == "extra_forbidden":
        return f"{key} is not a known key"
    what = error["msg"].removeprefix("Value error, ")
    if isinstance(error.get("input"), Mapping):  # a rule over several keys of a section: its
        return f"{key}.{what}" if key else what  # message reads `key: what, got value`
    what = what[:1].lower() + what[1:]
    return f"{key}: {what}, got {error['input']!r}"


def validate_section(cls: type[S], values: Any, section: str | None, source: str) -> S:
    """`values` as `cls`; every error found, in one ParamError line naming `source`."""
    try:
        return cls.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(describe(error, section) for error in exc.errors())
        raise ParamError(f"{source}: {problems}") from None


def section_values(params: Mapping, cls: type[Section], section: str | None, source: str) -> Any:
    """The values of `section` (`a.b`: key b inside section a; None: the top-level keys that
    are fields of `cls`, the other top-level keys being other sections)."""
    if section is None:
        return {name: params[name] for name in cls.model_fields if name in params}
    values: Any = params
    for depth, key in enumerate(section.split(".")):
        if not isinstance(values, Mapping) or key not in values:
            where = ".".join(section.split(".")[:depth])
            raise ParamError(f"{source}: no `{section}`" + (f" in `{where}`" if where else ""))
        values = values[key]
    return values


def load_section(cls: type[S], section: str | None, path: Path = PARAMS_FILE) -> S:
    """Read `section` of the params file into `cls` (see section_values).

    Its errors end with the way back: a failed `dvc exp run -S key=value` leaves the bad
    value in the file, and every later run would stop on it.
    """
    try:
        values = section_values(read_params(path), cls, section, str(path))
        return validate_section(cls, values, section, str(path))
    except ParamError as exc:
        raise ParamError(f"{exc}. {restore_hint(path)}") from None


def param_error(path: Path, problem: str) -> ParamError:
    """The error for a value of the params file `path` that a stage cannot use: `problem`
    names the key and says what is wrong; the way back is added."""
    return ParamError(f"{path}: {problem}. {restore_hint(path)}")


def restore_hint(path: Path) -> str:
    """How to go back to the committed params, in one sentence."""
    return (
        f"Fix it, or restore the committed values with `git checkout HEAD -- {path}` "
        "(then `dvc repro` takes back from the run-cache what it ran before)"
    )
