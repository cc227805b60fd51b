"""The mutation score of each module `make mutants` mutates, from mutmut's results.

    python tools/mutation_score.py [--min 90] [--out mutants/score.md]

Reads what `mutmut run` left in mutants/ (one .meta file per module), leaves out the mutants
that tools/equivalent_mutants.txt lists as equivalent (each with its reason), and prints one
row per module: killed, survived, without a covering test, timed out, and the score (killed
and timed out over all others). Exits 1 if a module scores under `--min` percent, or if the
list names a mutant that is no longer a survivor (killed now, or gone): the list stays true.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants" / "src" / "mnistseg"
EQUIVALENT = ROOT / "tools" / "equivalent_mutants.txt"
CAUGHT = ("killed", "timeout", "segfault", "caught by type check")


def equivalent_mutants(path: Path = EQUIVALENT) -> dict[str, str]:
    """Mutant name -> why it is equivalent, from lines `name  # reason`."""
    listed = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, sep, reason = line.partition("#")
        if not sep or not reason.strip():
            raise SystemExit(f"{path}:{number}: expected `mutant name  # why it is equivalent`")
        listed[name.strip()] = reason.strip()
    return listed


def statuses(folder: Path = MUTANTS) -> dict[str, dict[str, str]]:
    """Module -> mutant name -> mutmut's status, for every module mutmut has results for."""
    found = {}
    for meta in sorted(folder.rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        module = meta.relative_to(folder).as_posix().removesuffix(".py.meta").replace("/", ".")
        found[module] = {name: status_by_exit_code[code] for name, code in codes.items()}
    return found


def score_table(found: dict[str, dict[str, str]], equivalent: dict[str, str]) -> list[dict]:
    """One row per module: counts by outcome and the score in percent."""
    rows = []
    for module, mutants in found.items():
        counts = Counter(
            "equivalent" if name in equivalent else status for name, status in mutants.items()
        )
        caught = sum(counts[status] for status in CAUGHT)
        scored = sum(counts.values()) - counts["equivalent"] - counts["skipped"]
        rows.append(
            {
                "module": module,
                "mutants": sum(counts.values()),
                "killed": caught,
                "survived": counts["survived"],
                "no tests": counts["no tests"],
                "equivalent": counts["equivalent"],
                "score": 100.0 * caught / scored if scored else 100.0,
            }
        )
    return rows


def markdown(rows: list[dict]) -> str:
    """The table as Markdown, with a total row."""
    columns = ["module", "mutants", "killed", "survived", "no tests", "equivalent", "score"]
    lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    total = {c: sum(r[c] for r in rows) for c in columns[1:-1]}
    scored = total["mutants"] - total["equivalent"]
    for row in [*rows, {"module": "**all**", **total, "score": 100 * total["killed"] / scored}]:
        cells = [str(row[c]) for c in columns[:-1]] + [f"{row['score']:.1f}%"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("--min", type=float, default=90.0, help="lowest score a module may have")
    args.add_argument("--out", type=Path, help="also write the table here")
    opts = args.parse_args(argv)
    found = statuses()
    if not found:
        print("no results in mutants/: run `mutmut run` first", file=sys.stderr)
        return 1
    equivalent = equivalent_mutants()
    survivors = {
        name for mutants in found.values() for name, s in mutants.items() if s == "survived"
    }
    stale = sorted(set(equivalent) - survivors)
    rows = score_table(found, equivalent)
    table = markdown(rows)
    sys.stdout.write(table)
    if opts.out:
        opts.out.write_text(table)
    failed = False
    for name in stale:
        print(f"{EQUIVALENT.name}: {name} is not a surviving mutant: remove it", file=sys.stderr)
        failed = True
    for row in rows:
        if row["score"] < opts.min:
            print(f"{row['module']}: {row['score']:.1f}% < {opts.min}%", file=sys.stderr)
            failed = True
    unexplained = sorted(survivors - set(equivalent))
    if unexplained:
        print(f"{len(unexplained)} surviving mutants: `mutmut show NAME` for each of:")
        print("\n".join(f"    {name}" for name in unexplained))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
