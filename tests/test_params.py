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
