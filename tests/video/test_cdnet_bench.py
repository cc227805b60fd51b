"""The CDnet benchmark: its params, the means as changedetection.net takes them, its stages."""

import json
import re
import sys

import pytest

from conftest import cdnet_sequence, load_stage, write_params
from mnistseg.errors import ParamError
from mnistseg.params import validate_section
from mnistseg.video.cdnet import FIGURES
from mnistseg.video.cdnet_bench import BenchParams, plot_rows, summarise
from scratch import REPO

SHARED_CDNET = REPO.parent / "shared" / "cdnet"


def figures(f: float) -> dict[str, float]:
    return {name: f for name in FIGURES}


def result(sequence, category, subtractor, f):
    return {"sequence": sequence, "category": category, "subtractor": subtractor,
            "cdnet": figures(f)}  # fmt: skip


def test_categories_average_their_sequences_then_the_categories_are_averaged():
    results = [
        result("highway", "baseline", "mog2", 0.9),
        result("office", "baseline", "mog2", 0.5),
        result("busStation", "shadow", "mog2", 0.8),
        result("highway", "baseline", "knn", 1.0),
    ]
    summary = summarise(results)
    assert summary["mog2"]["categories"] == {"baseline": figures(0.7), "shadow": figures(0.8)}
    # Not the mean of the three sequences (0.7333): each category weighs the same.
    assert summary["mog2"]["overall"]["f_measure"] == pytest.approx(0.75)
    assert summary["mog2"]["sequences"]["office"] == figures(0.5)
    assert summary["knn"]["overall"] == figures(1.0)
    assert summarise([]) == {}
    assert plot_rows(results[:1]) == [
        {"pair": "highway / mog2", "sequence": "highway", "subtractor": "mog2", "f_measure": 0.9}
    ]


@pytest.mark.parametrize(
    ("sequences", "subtractors", "message"),
    [
        ({"a-b": {"folder": "x", "category": "baseline"}}, ["mog2"],
         r"bench.sequences.a-b.\[key\]: string should match pattern"),
        ({"a": {"folder": "x"}}, ["mog2"], r"bench.sequences.a.category is missing"),
        ({"a": {"folder": 3, "category": "shadow"}}, ["mog2"],
         "bench.sequences.a.folder: input should be a valid string, got 3"),
        ({"a": {"folder": "x", "category": "indoor"}}, ["mog2"],
         "bench.sequences.a.category: input should be 'baseline', "),
        ({}, ["mog2", "knn", "mog2"], "bench.subtractors: lists mog2 more than once"),
        ({}, ["mog3"], "bench.subtractors.0: input should be 'mog2', 'knn', "),
    ],
)  # fmt: skip
def test_bad_bench_params_are_named(sequences, subtractors, message):
    values = {"sequences": sequences, "subtractors": subtractors}
    with pytest.raises(ParamError, match=message):
        validate_section(BenchParams, values, "bench", "params.yaml")


def linked_copy(source, target):
    """A copy of a CDnet sequence folder made of links to its files."""
    for sub in ("input", "groundtruth"):
        (target / sub).mkdir(parents=True)
        for path in (source / sub).iterdir():
            (target / sub / path.name).symlink_to(path)
    (target / "temporalROI.txt").symlink_to(source / "temporalROI.txt")
    return target


@pytest.mark.skipif(not SHARED_CDNET.is_dir(), reason="no ../shared/cdnet here")
@pytest.mark.skipif(sys.platform == "win32", reason="links to its files need rights on Windows")
@pytest.mark.parametrize(
    ("removed", "message"),
    [
        ("input/in000600.jpg", "frame 600 missing, and its mask .*gt000600.png is there"),
        ("groundtruth/gt000700.png", "gt000700.png: missing, and frame 700 is scored"),
    ],
)
def test_a_real_sequence_missing_a_frame_or_a_mask_is_named(tmp_path, capsys, removed, message):
    seq = linked_copy(SHARED_CDNET / "pedestrians", tmp_path / "pedestrians")
    (seq / removed).unlink()
    bench = {"sequences": {"ped": {"folder": str(seq), "category": "baseline"}}}
    params = write_params(tmp_path, {"bench": bench})
    with pytest.raises(SystemExit):
        load_stage("bench_sequence").main(
            ["--params", str(params), "--sequence", "ped", "--out", str(tmp_path / "i.json")]
        )
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: bench.sequences.ped: ")
    assert re.search(message, err), err
    assert not (tmp_path / "i.json").exists()


def test_the_bench_stages_index_score_and_summarise(tmp_path):
    seq = cdnet_sequence(tmp_path / "square")
    bench = {"sequences": {"square": {"folder": str(seq), "category": "baseline"}},
             "subtractors": ["mog2", "cnt"]}  # fmt: skip
    params = str(write_params(tmp_path, {"bench": bench}))
    out = tmp_path / "bench"
    load_stage("bench_sequence").main(
        ["--params", params, "--sequence", "square", "--out", str(out / "square/sequence.json")]
    )
    index = json.loads((out / "square/sequence.json").read_text())
    assert (index["frames"], index["scored"], index["category"]) == (24, [9, 24], "baseline")
    for subtractor in ("mog2", "cnt"):
        load_stage("bench").main([
            "--params", params, "--subtractor", subtractor,
            "--index", str(out / "square/sequence.json"),
            "--out", str(out / f"square/{subtractor}.json"),
        ])  # fmt: skip
    scores = json.loads((out / "square/mog2.json").read_text())
    assert scores["scored_frames"] == 16 and scores["cdnet"]["f_measure"] > 0.5
    files = {name: str(tmp_path / name) for name in ("summary.json", "metrics.json", "plot.json")}
    load_stage("bench_summary").main([
        "--params", params, "--bench", str(out), "--summary", files["summary.json"],
        "--metrics", files["metrics.json"], "--plot", files["plot.json"],
    ])  # fmt: skip
    metrics = json.loads((tmp_path / "metrics.json").read_text())["bench"]
    assert set(metrics) == {"mog2", "cnt"}
    assert metrics["mog2"]["f_measure"] == scores["cdnet"]["f_measure"]
    assert len(json.loads((tmp_path / "plot.json").read_text())) == 2


def test_the_messages_list_what_is_allowed():
    with pytest.raises(ParamError) as err:
        validate_section(
            BenchParams,
            {"sequences": {"a": {"folder": "x", "category": "indoor"}}, "subtractors": ["knn"]},
            "bench",
            "params.yaml",
        )
    assert str(err.value) == (
        "params.yaml: bench.sequences.a.category: input should be 'baseline', "
        "'dynamicBackground', 'cameraJitter', 'intermittentObjectMotion', 'shadow', 'thermal', "
        "'badWeather', 'lowFramerate', 'nightVideos', 'PTZ' or 'turbulence', got 'indoor'"
    )
    with pytest.raises(ParamError) as err:
        validate_section(
            BenchParams,
            {"sequences": {}, "subtractors": ["vibe", "knn", "vibe", "knn"]},
            "bench",
            "params.yaml",
        )
    assert str(err.value) == (
        "params.yaml: bench.subtractors: lists knn, vibe more than once, "
        "got ['vibe', 'knn', 'vibe', 'knn']"
    )
    named = BenchParams(
        sequences={"busStation_2": {"folder": "x", "category": "PTZ"}}, subtractors=["mog2"]
    )
    assert list(named.sequences) == ["busStation_2"]


def test_categories_are_listed_in_name_order_whatever_the_order_of_the_runs():
    results = [
        result("busStation", "shadow", "mog2", 0.8),
        result("office", "baseline", "mog2", 0.5),
    ]
    assert list(summarise(results)["mog2"]["categories"]) == ["baseline", "shadow"]
