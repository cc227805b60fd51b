import configparser

import pytest

from mnistseg.commands.report_template import bundled_template, page_template
from scratch import REPO

VERSIONS = {"vega": "6.2.0", "vega_lite": "5.21", "vega_embed": "7.0.2"}


def test_the_template_inlines_the_libraries_and_leaves_dvcs_placeholders():
    page = page_template("window.vegaEmbed = function () {};", VERSIONS)
    assert "window.vegaEmbed = function () {};" in page
    assert "{plot_divs}" in page and "{refresh_tag}" in page
    # No {scripts}: DVC would add its CDN <script src=...> tags there.
    assert "{scripts}" not in page and "src=" not in page
    assert "Vega 6.2.0, Vega-Lite 5.21, Vega-Embed 7.0.2" in page


def test_the_bundle_is_inlined_verbatim():
    bundle = "const template = '{vega} {x}';"  # braces of its own, left alone
    assert bundle in page_template(bundle, VERSIONS)


@pytest.mark.parametrize(
    ("bundle", "message"),
    [("const s = '</SCRIPT>';", "</script"), ("f('{plot_divs}')", "placeholder {plot_divs}")],
)
def test_a_bundle_that_the_page_would_break_is_refused(bundle, message):
    with pytest.raises(ValueError, match=message):
        page_template(bundle, VERSIONS)


def test_dvc_is_told_to_use_the_committed_template_of_the_pinned_bundle():
    config = configparser.ConfigParser()
    config.read(REPO / ".dvc" / "config")
    assert config["plots"]["html_template"] == "report.html"  # relative to .dvc/
    committed = (REPO / ".dvc" / "report.html").read_text(encoding="utf8")
    assert committed == bundled_template(), "run `make report-template` and commit it"


def test_a_template_there_already_is_replaced_only_when_told(tmp_path, monkeypatch, capsys):
    from mnistseg.commands import main as mnistseg
    from mnistseg.commands import report_template

    monkeypatch.setattr(report_template, "bundled_template", lambda: "<html>new</html>")
    page = tmp_path / "report.html"
    page.write_text("mine")
    with pytest.raises(SystemExit) as exited:
        mnistseg(["report-template", str(page)])
    assert exited.value.code == 1
    assert capsys.readouterr().err == f"error: {page}: there already (--overwrite replaces them)\n"
    assert page.read_text() == "mine" and [p.name for p in tmp_path.iterdir()] == ["report.html"]
    mnistseg(["report-template", str(page), "--overwrite"])
    assert page.read_text() == "<html>new</html>"
