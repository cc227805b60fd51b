from dataclasses import dataclass

import pytest

from mnistseg.errors import KnobError, ParamError
from mnistseg.params import Section, from_mapping, knob, load_section, read_params


@dataclass(frozen=True)
class Example(Section):
    count: int = knob(low=1)
    rate: float = knob(above=0, below=1)
    name: str = knob(choices=("a", "b"))
    flag: bool = knob()
    odd: int = knob(rule=(lambda v: v % 2 == 1, "odd"))
    places: tuple[str, ...] = knob()

    def check(self) -> None:
        if self.flag and self.count > 5:
            raise KnobError("count", f"must be <= 5 when flag is set, got {self.count}")


GOOD = {"count": 2, "rate": 0.5, "name": "a", "flag": False, "odd": 3, "places": "x"}


def test_a_good_section_is_typed():
    example = from_mapping(Example, {**GOOD, "count": 3}, "ex", "p.yaml")
    assert example.count == 3 and example.places == ("x",)
    assert isinstance(from_mapping(Example, {**GOOD, "rate": 1e-3}, "ex", "p").rate, float)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"count": 0}, "ex.count must be an integer >= 1, got 0"),
        ({"count": True}, "ex.count must be an integer, got True"),
        ({"count": 1.5}, "ex.count must be an integer, got 1.5"),
        ({"rate": 1}, r"ex.rate must be a number in \(0, 1\), got 1.0"),
        ({"rate": "nan"}, "ex.rate must be a number, got 'nan'"),
        ({"name": "c"}, "ex.name must be one of a, b, got 'c'"),
        ({"flag": "yes"}, "ex.flag must be true or false, got 'yes'"),
        ({"odd": 4}, "ex.odd must be odd, got 4"),
        ({"places": [1]}, "ex.places must be a string or a list of strings, got \\[1\\]"),
        ({"flag": True, "count": 6}, "ex.count must be <= 5 when flag is set, got 6"),
        ({"extra": 1}, "p.yaml: unknown key\\(s\\) extra in `ex`"),
    ],
)
def test_every_error_names_section_key_and_value(change, message):
    with pytest.raises(ParamError, match=message):
        from_mapping(Example, {**GOOD, **change}, "ex", "p.yaml")


def test_missing_keys_are_named():
    values = {k: v for k, v in GOOD.items() if k not in ("rate", "odd")}
    with pytest.raises(ParamError, match=r"p.yaml: ex.rate, ex.odd are missing"):
        from_mapping(Example, values, "ex", "p.yaml")


def test_top_level_reads_only_its_keys(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("count: 2\nrate: 0.5\nname: b\nflag: true\nodd: 1\nplaces: [a, b]\nother: {}\n")
    assert load_section(Example, None, path).places == ("a", "b")


def test_built_directly_the_error_names_the_field():
    with pytest.raises(KnobError, match=r"^count must be an integer >= 1, got 0$"):
        Example(**{**GOOD, "count": 0})


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


def test_missing_section(tmp_path):
    (tmp_path / "params.yaml").write_text("other: 1\n")
    with pytest.raises(ParamError, match=r"no `ex` section"):
        load_section(Example, "ex", tmp_path / "params.yaml")


def test_knob_carries_its_rules_as_field_metadata():
    def odd(value: int) -> bool:
        return value % 2 == 1

    field = knob(low=1, high=9, choices=("a",), rule=(odd, "odd"))
    assert dict(field.metadata) == {
        "low": 1,
        "above": None,
        "high": 9,
        "below": None,
        "choices": ("a",),
        "rule": (odd, "odd"),
    }
    assert dict(knob(above=0, below=2).metadata) == {
        "low": None,
        "above": 0,
        "high": None,
        "below": 2,
        "choices": None,
        "rule": None,
    }


@pytest.mark.parametrize(
    ("bounds", "good", "bad", "message"),
    [
        ({"low": 0, "high": 1}, [0, 0.5, 1], [-0.1, 1.1], "in [0, 1]"),
        ({"low": 0, "below": 1}, [0, 0.5], [-0.1, 1], "in [0, 1)"),
        ({"above": 0, "high": 1}, [0.5, 1], [0, 1.1], "in (0, 1]"),
        ({"above": 0, "below": 1}, [0.5], [0, 1], "in (0, 1)"),
        ({"low": 2}, [2, 3], [1.9], ">= 2"),
        ({"above": 2}, [2.1], [2], "> 2"),
        ({"high": 2}, [2, -5], [2.1], "<= 2"),
        ({"below": 2}, [1.9], [2], "< 2"),
    ],
)
def test_bounds_low_high_inclusive_above_below_exclusive(bounds, good, bad, message):
    @dataclass(frozen=True)
    class Bounded(Section):
        value: float = knob(**bounds)

    for value in good:
        assert Bounded(value=value).value == value
    for value in bad:
        with pytest.raises(KnobError) as err:
            Bounded(value=value)
        assert str(err.value) == f"value must be a number {message}, got {float(value)!r}"


@pytest.mark.parametrize(
    ("hint", "value", "message"),
    [
        (str, 3, "must be a string, got 3"),
        (int, "3", "must be an integer, got '3'"),
        (float, True, "must be a number, got True"),
        (float, float("inf"), "must be a number, got inf"),
        (bool, 1, "must be true or false, got 1"),
        (tuple[str, ...], "", None),
        (tuple[str, ...], [], "must be a string or a list of strings, got []"),
        (tuple[str, ...], ("a", 2), "must be a string or a list of strings, got ('a', 2)"),
    ],
)
def test_each_type_names_what_it_wants(hint, value, message):
    @dataclass(frozen=True)
    class Typed(Section):
        value: hint = knob()

    if message is None:
        assert Typed(value=value).value == (value,)
        return
    with pytest.raises(KnobError) as err:
        Typed(value=value)
    assert str(err.value) == f"value {message}"


def test_choices_apply_to_each_item_of_a_list():
    @dataclass(frozen=True)
    class Listed(Section):
        places: tuple[str, ...] = knob(choices=("a", "b"))

    assert Listed(places=["b", "a"]).places == ("b", "a")
    with pytest.raises(KnobError, match=r"places must be one of a, b, got \('a', 'c'\)"):
        Listed(places=["a", "c"])


def test_a_file_error_says_how_to_restore_the_committed_params(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("count: 0\nrate: 0.5\nname: b\nflag: true\nodd: 1\nplaces: a\n")
    with pytest.raises(ParamError) as err:
        load_section(Example, None, path)
    assert str(err.value) == (
        f"{path}: count must be an integer >= 1, got 0. Fix it, or restore the committed "
        f"values with `git checkout HEAD -- {path}` (then `dvc repro` takes back from the "
        "run-cache what it ran before)"
    )


def test_unknown_keys_are_all_named_and_top_level_keys_have_no_prefix():
    with pytest.raises(ParamError) as err:
        from_mapping(Example, {**GOOD, "zeta": 1, "alpha": 2}, "ex", "p.yaml")
    assert str(err.value) == "p.yaml: unknown key(s) alpha, zeta in `ex`"
    values = {k: v for k, v in GOOD.items() if k != "rate"}
    with pytest.raises(ParamError) as err:
        from_mapping(Example, values, None, "p.yaml")
    assert str(err.value) == "p.yaml: rate is missing"
    with pytest.raises(ParamError) as err:
        from_mapping(Example, {**GOOD, "count": 0}, None, "p.yaml")
    assert str(err.value) == "p.yaml: count must be an integer >= 1, got 0"


def test_a_mapping_knob_takes_a_mapping():
    @dataclass(frozen=True)
    class Mapped(Section):
        places: dict[str, str] = knob()

    assert Mapped(places={"a": "b"}).places == {"a": "b"} and Mapped(places={}).places == {}
    with pytest.raises(KnobError) as err:
        Mapped(places=["a"])
    assert str(err.value) == "places must be a mapping, got ['a']"
