"""The `mnistseg` command: its sub-commands, their help, and what passes on to DVC."""

import re
import subprocess
import sys

import pytest

from mnistseg import commands
from mnistseg.commands import exps

NAMES = ["predict", "export", "cdnet", "sweep", "exps", "diff-report", "report-template"]


def test_the_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exited:
        commands.main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    listed = re.findall(r"^    (\S+)", out.split("positional arguments:")[1], re.MULTILINE)
    assert listed == NAMES


def test_an_unknown_command_is_refused(capsys):
    with pytest.raises(SystemExit) as exited:
        commands.main(["train"])
    assert exited.value.code == 2
    assert "invalid choice: 'train'" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "module"), zip(NAMES, commands.COMMANDS))
def test_each_command_has_its_help(name, module, capsys):
    with pytest.raises(SystemExit) as exited:
        commands.main([name, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: mnistseg {name}") and module.__doc__.strip() in out


def test_exps_passes_what_it_does_not_know_to_dvc(monkeypatch):
    seen = []
    monkeypatch.setattr(exps, "run", lambda opts: seen.append(opts.passed))
    commands.main(["exps", "--csv", "-A", "--precision", "3"])
    assert seen == [["--csv", "-A", "--precision", "3"]]


def test_other_commands_refuse_what_they_do_not_know(capsys):
    with pytest.raises(SystemExit) as exited:
        commands.main(["sweep", "--csv"])
    assert exited.value.code == 2
    assert "unrecognized arguments: --csv" in capsys.readouterr().err


def test_a_failing_command_exits_with_its_status(monkeypatch):
    monkeypatch.setattr(exps, "run", lambda opts: 3)
    with pytest.raises(SystemExit) as exited:
        commands.main(["exps"])
    assert exited.value.code == 3


def test_python_dash_m_mnistseg_is_the_command():
    done = subprocess.run(
        [sys.executable, "-m", "mnistseg", "--help"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("usage: mnistseg")
