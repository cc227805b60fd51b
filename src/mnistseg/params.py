"""Reading a model's section of params.yaml, with errors that name the key and the value."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from pathlib import Path

import yaml

from mnistseg.cli import ParamError
from mnistseg.models import ARCHS, CIRCLE_SOURCES, INPUTS


@dataclass(frozen=True)
class TrainParams:
    """One model's section of params.yaml (`segnet`, `circlenet` or `unet`)."""

    arch: str
    batch_size: int
    lr: float
    seed: int
    val_fraction: float
    width: int
    depth: int = 2
    input: str = "image"
    circle_from: str = "decoder"


CHECKS = {
    "arch": (str, lambda v: v in ARCHS, f"one of {', '.join(ARCHS)}"),
    "batch_size": (int, lambda v: v >= 1, "an integer >= 1"),
    "lr": (float, lambda v: v > 0, "a number > 0"),
    "seed": (int, lambda v: v >= 0, "an integer >= 0"),
    "val_fraction": (float, lambda v: 0 <= v < 1, "a number in [0, 1)"),
    "width": (int, lambda v: v >= 1, "an integer >= 1"),
    "depth": (int, lambda v: 1 <= v <= 4, "an integer in [1, 4]"),
    "input": (str, lambda v: v in INPUTS, f"one of {', '.join(INPUTS)}"),
    "circle_from": (str, lambda v: v in CIRCLE_SOURCES, f"one of {', '.join(CIRCLE_SOURCES)}"),
}


def read_params(path: Path) -> dict:
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


def train_params(params: dict, model: str, source: str = "params.yaml") -> TrainParams:
    """Validate and type `params[model]`; every problem names `<model>.<key>` and its value."""
    section = params.get(model)
    if not isinstance(section, dict):
        raise ParamError(f"{source}: no `{model}` section")
    values = {}
    for field in fields(TrainParams):
        if field.name not in section:
            if field.default is not MISSING:
                continue
            raise ParamError(f"{source}: {model}.{field.name} is missing")
        kind, ok, wanted = CHECKS[field.name]
        value = section[field.name]
        valid_type = isinstance(value, kind) or (kind is float and isinstance(value, int))
        if isinstance(value, bool) or not valid_type or not ok(kind(value)):
            raise ParamError(f"{source}: {model}.{field.name} must be {wanted}, got {value!r}")
        values[field.name] = kind(value)
    unknown = set(section) - {f.name for f in fields(TrainParams)}
    if unknown:
        raise ParamError(f"{source}: unknown key(s) {', '.join(sorted(unknown))} in `{model}`")
    return TrainParams(**values)
