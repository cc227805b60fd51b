import pytest

from mnistseg.entry_points import run_stage, stage_parser
from mnistseg.errors import USER_ERRORS, InputError, ParamError, SourceError


@pytest.mark.parametrize("error", [ParamError("a.b must be x"), SourceError("s"), InputError("i")])
def test_a_user_error_is_one_line_and_exit_1(capsys, error):
    @run_stage
    def main(argv=None):
        raise error

    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == f"error: {error}\n"


def test_a_bug_keeps_its_traceback():
    @run_stage
    def main(argv=None):
        raise KeyError("bug")

    with pytest.raises(KeyError):
        main([])
    assert KeyError not in USER_ERRORS


def test_stage_parser_takes_paths_and_the_params_file():
    parser = stage_parser("doc")
    parser.add_argument("--out", required=True)
    opts = parser.parse_args(["--out", "x"])
    assert str(opts.params) == "params.yaml" and opts.out == "x"
