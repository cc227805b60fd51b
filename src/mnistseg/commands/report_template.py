"""The page template that makes `dvc plots show` / `dvc plots diff` draw with no network.

    mnistseg report-template .dvc/report.html --overwrite   # make report-template

DVC's own page loads Vega, Vega-Lite and Vega-Embed from a CDN, so offline the curves and the
confusion matrix stay blank. This writes a page template with the three libraries inlined, as
bundled by vl-convert (installed from PyPI with the rest); `.dvc/config` names it as
`plots.html_template`, so every `dvc plots` command uses it with no flag. The template is
committed, so any clone draws offline without running anything first; rewrite it after
changing vl-convert's pin (a test fails until you do). Nothing is fetched when the page is
viewed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mnistseg.entry_points import sub_command
from mnistseg.fileio import refuse_existing, write_bytes

# The Vega-Lite major version DVC writes its specs for (their $schema is vega-lite/v5).
VEGA_LITE_MAJOR = 5
# What DVC replaces in a page template, wherever it appears (dvc_render's HTML.embed).
DVC_PLACEHOLDERS = ("{plot_divs}", "{scripts}", "{refresh_tag}")

PAGE = """<!DOCTYPE html>
<html>
<head>
    {refresh_tag}
    <title>mnistseg plots</title>
    <meta charset="utf-8">
    <!-- Vega {vega}, Vega-Lite {vega_lite}, Vega-Embed {vega_embed}, inlined: no network -->
    <script>
{bundle}
    </script>
    <style>
        table {
            border-spacing: 15px;
        }
    </style>
</head>
<body>
    {plot_divs}
</body>
</html>
"""


def bundled_versions() -> dict[str, str]:
    """The versions vl-convert bundles: Vega, the newest Vega-Lite VEGA_LITE_MAJOR.x, Embed."""
    import vl_convert

    def parts(version: str) -> list[int]:
        return [int(p) for p in version.lstrip("v").split(".")]

    same_major = [v for v in vl_convert.get_vegalite_versions() if parts(v)[0] == VEGA_LITE_MAJOR]
    if not same_major:
        raise SystemExit(f"vl-convert bundles no Vega-Lite {VEGA_LITE_MAJOR}.x")
    return {
        "vega": vl_convert.get_vega_version(),
        "vega_lite": max(same_major, key=parts),
        "vega_embed": vl_convert.get_vega_embed_version(),
    }


def page_template(bundle: str, versions: dict[str, str]) -> str:
    """DVC's page with `bundle` (the libraries' JavaScript) inlined in place of CDN scripts.

    DVC fills `{plot_divs}` and `{refresh_tag}`; without a `{scripts}` placeholder it adds no
    script tags of its own.
    """
    if "</script" in bundle.lower():
        raise ValueError("the JavaScript bundle contains `</script`: it cannot be inlined")
    taken = [p for p in DVC_PLACEHOLDERS if p in bundle]
    if taken:  # DVC would fill them in inside the script too
        raise ValueError(f"the JavaScript bundle contains DVC's placeholder {taken[0]}")
    page = PAGE
    for name, version in versions.items():
        page = page.replace("{" + name + "}", version)
    return page.replace("{bundle}", bundle)  # last: the bundle's own text is left as it is


def bundled_template() -> str:
    """The page template with the libraries of the installed vl-convert inlined."""
    import vl_convert

    versions = bundled_versions()
    bundle = vl_convert.javascript_bundle(vl_version=versions["vega_lite"])
    return page_template(bundle, versions)


def write_template(path: Path, overwrite: bool = False) -> Path:
    """Write the page template to `path` (atomically, as every output is written); a file
    there already is replaced only if `overwrite`."""
    refuse_existing(path.parent, [path.name], overwrite)
    write_bytes(path, bundled_template().encode("utf8"))
    return path


def add_command(commands: argparse._SubParsersAction) -> None:  # pragma: no mutate block
    summary = "the page template that draws DVC plots offline"
    args = sub_command(commands, "report-template", __doc__, summary)
    args.set_defaults(run=run)
    args.add_argument("template", type=Path, help="where to write it (.dvc/report.html)")
    args.add_argument("--overwrite", action="store_true", help="replace the file if it is there")


def run(opts: argparse.Namespace) -> None:
    print(f"wrote {write_template(opts.template, opts.overwrite)}")
