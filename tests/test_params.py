"""The params loader: sections of params.yaml into pydantic models, errors in one line."""

import re
from typing import Annotated, Literal

import pytest
from pydantic import AfterValidator, Field, model_validator

from mnistseg.errors import ParamError
from mnistseg.params import (
    Names,
    Section,
    describe,
    load_section,
    read_params,
    restore_hint,
    section_values,
    validate_section,
)


def _odd(value: int) -> int:
    if value % 2 == 0:
        raise ValueError("must be odd")
    return value


class Inner(Section):
    low: Annotated[int, Field(ge=0)]
    high: Annotated[int, Field(ge=0)]

    @model_validator(mode="after")
    def ordered(self) -> "Inner":
        if self.high < self.low:
            raise ValueError(f"high: must be >= low ({self.low}), got {self.high}")
        return self


class Example(Section):
    count: Annotated[int, Field(ge=1)]
    rate: Annotated[float, Field(gt=0, lt=1)]
    name: Literal["a", "b"]
    flag: bool
    odd: Annotated[int, AfterValidator(_odd)]
    places: Names
    inner: Inner


GOOD = {
    "count": 2, "rate": 0.5, "name": "a", "flag": False, "odd": 3, "places": "x",
    "inner": {"low": 1, "high": 2},
}  # fmt: skip


def test_a_good_section_is_typed_and_frozen():
    example = validate_section(Example, {**GOOD, "count": 3, "rate": 1e-3}, "ex", "p.yaml")
    assert example.count == 3 and example.places == ("x",)
    assert isinstance(example.rate, float)
    assert validate_section(Example, {**GOOD, "places": ["a", "b"]}, "ex", "p").places == (
        "a",
        "b",
    )
    with pytest.raises(ValueError, match="frozen"):
        example.count = 4


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"count": 0}, "ex.count: input should be greater than or equal to 1, got 0"),
        ({"count": True}, "ex.count: input should be a valid integer, got True"),
        ({"count": "3"}, "ex.count: input should be a valid integer, got '3'"),
        ({"count": 1.5}, "ex.count: input should be a valid integer, got 1.5"),
        ({"rate": 1}, "ex.rate: input should be less than 1, got 1"),
        ({"rate": float("nan")}, "ex.rate: input should be a finite number, got nan"),
        ({"rate": True}, "ex.rate: input should be a valid number, got True"),
        ({"name": "c"}, "ex.name: input should be 'a' or 'b', got 'c'"),
        ({"flag": "yes"}, "ex.flag: input should be a valid boolean, got 'yes'"),
        ({"odd": 4}, "ex.odd: must be odd, got 4"),
        ({"places": [1]}, r"ex.places.0: input should be a valid string, got 1"),
        ({"places": []}, r"ex.places: value should have at least 1 item after validation"),
        ({"inner": {"low": 3, "high": 2}}, r"ex.inner.high: must be >= low \(3\), got 2$"),
        ({"inner": {"low": -1, "high": 2}}, "ex.inner.low: input should be greater than or"),
        ({"extra": 1}, r"^p.yaml: ex.extra is not a known key$"),
    ],
)
def test_every_error_names_section_key_and_value(change, message):
    with pytest.raises(ParamError, match=message):
        validate_section(Example, {**GOOD, **change}, "ex", "p.yaml")


def test_every_error_is_in_the_one_line():
    values = {k: v for k, v in GOOD.items() if k not in ("rate", "odd")}
    with pytest.raises(ParamError) as err:
        validate_section(Example, {**values, "count": 0, "zeta": 1}, "ex", "p.yaml")
    assert str(err.value) == (
        "p.yaml: ex.count: input should be greater than or equal to 1, got 0; ex.rate is "
        "missing; ex.odd is missing; ex.zeta is not a known key"
    )


def test_top_level_keys_have_no_prefix_and_only_the_classes_are_read(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("epochs: 0\nother: {a: 1}\n")

    class Top(Section):
        epochs: Annotated[int, Field(ge=1)]

    with pytest.raises(ParamError, match=r"params.yaml: epochs: input should be greater"):
        load_section(Top, None, path)
    assert section_values({"epochs": 2, "other": 1}, Top, None, "p") == {"epochs": 2}


def test_a_block_inside_a_section_is_read_by_its_dotted_name(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("outer:\n  inner: {low: 1, high: 0}\n  other: 3\n")
    with pytest.raises(ParamError) as err:
        load_section(Inner, "outer.inner", path)
    assert str(err.value).startswith(f"{path}: outer.inner.high: must be >= low (1), got 0.")
    path.write_text("outer:\n  inner: {low: 1, high: 2}\n")
    assert load_section(Inner, "outer.inner", path) == Inner(low=1, high=2)


@pytest.mark.parametrize(
    ("section", "message"),
    [("ex", "no `ex`$"), ("outer.missing", "no `outer.missing` in `outer`$"),
     ("outer.inner.deeper", "no `outer.inner.deeper` in `outer.inner`$")],
)  # fmt: skip
def test_a_missing_section_is_named(section, message):
    params = {"outer": {"inner": 3}}
    with pytest.raises(ParamError, match=message):
        section_values(params, Inner, section, "p.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [(None, "not found"), ("a: [", "not valid YAML"), ("- 1", "expected a mapping")],
)
def test_bad_params_file(tmp_path, text, message):
    path = tmp_path / "params.yaml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(ParamError, match=message):
        read_params(path)


def test_a_file_error_says_how_to_restore_the_committed_params(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("outer:\n  inner: {low: -1, high: 2}\n")
    with pytest.raises(ParamError) as err:
        load_section(Inner, "outer.inner", path)
    assert str(err.value) == (
        f"{path}: outer.inner.low: input should be greater than or equal to 0, got -1. "
        + restore_hint(path)
    )
    assert restore_hint(path) == (
        f"Fix it, or restore the committed values with `git checkout HEAD -- {path}` "
        "(then `dvc repro` takes back from the run-cache what it ran before)"
    )


def test_describe_a_rule_over_several_keys_without_a_section():
    error = {
        "type": "value_error", "loc": (), "msg": "Value error, high: must be >= 1, got 0",
        "input": {"high": 0},
    }  # fmt: skip
    assert describe(error, None) == "high: must be >= 1, got 0"
    assert describe(error, "sec") == "sec.high: must be >= 1, got 0"


def test_a_missing_section_is_named_with_the_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("outer: {other: 3}\n")
    with pytest.raises(ParamError, match=rf"^{re.escape(str(path))}: no `outer.inner` in `outer`"):
        load_section(Inner, "outer.inner", path)


@pytest.mark.parametrize(
    ("places", "expected"),
    [("../mnist,v2", ("../mnist,v2",)), (["a,b", "c"], ("a,b", "c")), ("x", ("x",))],
)
def test_one_string_is_one_place_commas_and_all(places, expected):
    """A folder's name may hold a comma: only a YAML list gives several places."""
    assert validate_section(Example, {**GOOD, "places": places}, "ex", "p").places == expected


@pytest.mark.parametrize(
    ("text", "section", "problem"),
    [
        ("a: [", "outer.inner", "not valid YAML"),
        ("- 1\n", "outer.inner", "expected a mapping of parameters"),
        ("outer: {other: 3}\n", "outer.inner", "no `outer.inner` in `outer`"),
        ("outer:\n  inner: {low: 2, high: 1}\n", "outer.inner", "outer.inner.high: must be"),
    ],
    ids=["bad-yaml", "not-a-mapping", "missing-section", "bad-value"],
)
def test_every_error_of_the_params_file_ends_with_the_way_back(tmp_path, text, section, problem):
    """A failed `dvc exp run -S` can leave any of these in the file, not only a bad value."""
    path = tmp_path / "params.yaml"
    path.write_text(text)
    with pytest.raises(ParamError) as err:
        load_section(Inner, section, path)
    assert problem in str(err.value)
    assert str(err.value).endswith(f". {restore_hint(path)}")
