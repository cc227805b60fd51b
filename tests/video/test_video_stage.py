"""The `video` stage: a clip file or a folder of frames in, the composite and its scores out;
bad input stops it with one line and leaves nothing behind."""

import json
import re
import sys

import cv2
import numpy as np
import pytest
from clips import EMPTY, H, W, cdnet_folder, moving_square, write_clip

from conftest import load_stage, write_params


@pytest.fixture
def clip_files(tmp_path):
    clip, truth = moving_square()
    write_clip(tmp_path / "clip.avi", clip)
    np.save(tmp_path / "masks.npy", np.stack(truth))
    cv2.imwrite(str(tmp_path / "bg.png"), np.full((90, 70, 3), 128, np.uint8))
    return tmp_path


def run_video(root, **change):
    """Run the stage on files under `root` with `change` to params.yaml's `video` section."""
    video = {"input": str(root / "clip.avi"), "background": str(root / "bg.png"),
             "ground_truth": str(root / "masks.npy"), "warmup": EMPTY, **change}  # fmt: skip
    params = write_params(root, {"video": video})
    outputs = ["--out", root / "out", "--metrics", root / "video.json", "--preview", root / "p.png"]
    load_stage("video").main(["--params", str(params), *map(str, outputs)])


def test_stage_keeps_frame_count_size_and_fps(clip_files, capsys):
    run_video(clip_files)
    scores = json.loads((clip_files / "out" / "scores.json").read_text())
    shape = (scores["frames"], scores["width"], scores["height"], scores["fps"])
    assert shape == (36, W, H, 10)
    assert scores["mean_iou_after_warmup"] > 0.8
    assert not [key for key in scores if "loop_fps" in key or "seconds" in key]
    # The metrics file keeps the headline only, under `video`: a few columns in `dvc exp show`.
    metrics = json.loads((clip_files / "video.json").read_text())["video"]
    assert metrics["mean_iou_after_warmup"] == scores["mean_iou_after_warmup"]
    assert set(metrics["cdnet"]) == {"precision", "recall", "f_measure"}
    assert len(metrics) + len(metrics["cdnet"]) - 1 <= 10 and "frames" not in metrics
    assert re.search(r"\(\d+ frames/s\)", capsys.readouterr().out)
    out = cv2.VideoCapture(str(clip_files / "out" / "composite.mp4"))
    assert int(out.get(cv2.CAP_PROP_FRAME_COUNT)) == 36 and out.get(cv2.CAP_PROP_FPS) == 10
    assert (out.get(cv2.CAP_PROP_FRAME_WIDTH), out.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (W, H)


def test_stage_scores_a_cdnet_folder(clip_files):
    seq = cdnet_folder(clip_files)
    run_video(clip_files, input=str(seq / "input"), ground_truth=str(seq / "groundtruth"))
    scores = json.loads((clip_files / "out" / "scores.json").read_text())
    assert scores["frames"] == 36 and scores["scored_frames"] == 36 - EMPTY
    assert set(scores["cdnet"]) == {
        "recall", "specificity", "fpr", "fnr", "pwc", "precision", "f_measure",
    }  # fmt: skip
    assert scores["cdnet"]["f_measure"] > 0.7


def test_clip_without_ground_truth(clip_files):
    run_video(clip_files, ground_truth="none")
    assert json.loads((clip_files / "out" / "scores.json").read_text())["frames"] == 36
    metrics = json.loads((clip_files / "video.json").read_text())["video"]
    assert list(metrics) == ["mean_foreground_fraction"]


def make_unreadable(root):
    (root / "clip.avi").write_bytes(b"this is not a video")


def make_empty(root):
    write_clip(root / "clip.avi", [])


def no_images(root):
    (root / "frames").mkdir()
    (root / "frames" / "notes.txt").write_text("no frames here")
    return {"input": str(root / "frames")}


def mixed_sizes(root):
    (root / "frames").mkdir()
    cv2.imwrite(str(root / "frames" / "1.png"), np.zeros((H, W, 3), np.uint8))
    cv2.imwrite(str(root / "frames" / "2.png"), np.zeros((H, W + 2, 3), np.uint8))
    return {"input": str(root / "frames"), "ground_truth": "none"}


def short_truth_folder(root):
    seq = cdnet_folder(root)
    (seq / "groundtruth" / "gt000036.png").unlink()
    return {"input": str(seq / "input"), "ground_truth": str(seq / "groundtruth")}


def missing_frame(root):
    seq = cdnet_folder(root)
    (seq / "input" / "in000030.jpg").unlink()
    return {"input": str(seq / "input"), "ground_truth": str(seq / "groundtruth")}


def unnumbered_frame(root):
    seq = cdnet_folder(root)
    (seq / "input" / "in000036.jpg").rename(seq / "input" / "last.jpg")
    return {"input": str(seq / "input"), "ground_truth": str(seq / "groundtruth")}


def small_truth_folder(root):
    seq = cdnet_folder(root)
    for mask in (seq / "groundtruth").iterdir():
        cv2.imwrite(str(mask), np.zeros((5, 5), np.uint8))
    return {"input": str(seq / "input"), "ground_truth": str(seq / "groundtruth")}


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda root: (root / "clip.avi").unlink(), "video.input: .*clip.avi: no such file"),
        (make_unreadable, "video.input: .*clip.avi: (OpenCV cannot open it|holds no frames)"),
        (make_empty, "video.input: .*clip.avi: (OpenCV cannot open it|holds no frames)"),
        (no_images, "video.input: .*frames: a folder with no images"),
        (mixed_sizes, "video.input: .*frames: frame 2 is 82x60, the first was 80x60"),
        (lambda root: (root / "bg.png").unlink(), "video.background: .*bg.png: no such file"),
        (lambda root: (root / "bg.png").write_text("no") and {}, "bg.png: OpenCV cannot read it"),
        (lambda root: {"output": {"codec": "ZZZZ", "container": "avi", "feather": 0}},
         "video.output.codec 'ZZZZ' in video.output.container 'avi': OpenCV cannot write"),
        (lambda root: {"output": {"codec": "toolong", "container": "mp4", "feather": 0}},
         "video.output.codec: string should have at most 4 characters"),
        (lambda root: {"subtractor": "vibe2"}, "video.subtractor: input should be 'mog2'"),
        (lambda root: np.save(root / "masks.npy", np.zeros((36, 5, 5), np.uint8)),
         r"video.ground_truth: .*masks.npy \(row 0\): masks of 5x5 do not fit frames of 80x60"),
        (lambda root: np.save(root / "masks.npy", np.zeros((30, H, W), np.uint8)),
         r"video.ground_truth: .*masks.npy \(row 30\): missing, and frame 31 is scored"),
        (lambda root: np.save(root / "masks.npy", np.zeros((40, H, W), np.uint8)),
         r"video.ground_truth: .*masks.npy: 40 masks for 36 frames \(video.input: .*clip.avi\)"),
        (short_truth_folder,
         "video.ground_truth: .*groundtruth/gt000036.png: missing, and frame 36 is scored"),
        (missing_frame, "video.input: .*seq/input: frame 30 missing, and its mask "
                        ".*groundtruth/gt000030.png is there"),
        (unnumbered_frame, "video.input: .*seq/input/last.jpg: no frame number in the name"),
        (small_truth_folder, "video.ground_truth: .*gt000001.png: masks of 5x5 do not fit"),
    ],
    ids=["missing", "unreadable", "no-frames", "no-images", "mixed-sizes", "no-background",
         "bad-background", "codec", "fourcc", "subtractor", "truth-size", "truth-count",
         "truth-more", "truth-folder-count", "missing-frame", "unnumbered", "truth-folder-size"],
)  # fmt: skip
def test_bad_input_fails_cleanly(clip_files, capsys, damage, message):
    change = damage(clip_files) or {}
    with pytest.raises(SystemExit) as exit_info:
        run_video(clip_files, **change)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert re.search(message, err.replace("\\", "/")), err  # the paths in it, as on POSIX
    assert len(err.strip().splitlines()) == 1, err
    assert not (clip_files / "out").exists() and not (clip_files / "video.json").exists()
    assert not [p for p in clip_files.iterdir() if p.name.startswith(".")]


def test_frames_and_masks_pair_by_number_not_by_position(clip_files):
    seq = cdnet_folder(clip_files)
    # Frames before the temporal ROI may lack masks (CDnet's do not, other sets may).
    for number in (3, 4):
        (seq / "groundtruth" / f"gt{number:06d}.png").unlink()
    run_video(clip_files, input=str(seq / "input"), ground_truth=str(seq / "groundtruth"))
    paired = json.loads((clip_files / "out" / "scores.json").read_text())
    # The same sequence with every file renamed one number up: the same pairs, the same scores.
    shifted = clip_files / "shifted"
    for sub, prefix, suffix in (("input", "in", "jpg"), ("groundtruth", "gt", "png")):
        (shifted / sub).mkdir(parents=True)
        for path in sorted((seq / sub).iterdir(), reverse=True):
            number = int(path.stem[2:])
            path.rename(shifted / sub / f"{prefix}{number + 1:06d}.{suffix}")
    (shifted / "temporalROI.txt").write_text(f"{EMPTY + 2} {36 + 1}\n")
    run_video(clip_files, input=str(shifted / "input"), ground_truth=str(shifted / "groundtruth"))
    assert json.loads((clip_files / "out" / "scores.json").read_text()) == paired
    assert paired["scored_frames"] == 36 - EMPTY


def test_a_method_this_machine_cannot_run_is_named_with_the_file_and_the_way_back(
    clip_files, capsys, monkeypatch
):
    monkeypatch.setitem(sys.modules, "pybgs", None)  # as if BGSLibrary were not installed
    with pytest.raises(SystemExit):
        run_video(clip_files, subtractor="subsense")
    err = capsys.readouterr().err
    assert re.match(
        r"error: .*params.yaml: video.subtractor: 'subsense' is one of BGSLibrary's methods, "
        r"whose Python wrapper pybgs is not installed here: run `make bgslibrary` .*\. Fix it, "
        r"or restore",
        err,
    ), err
    assert not (clip_files / "out").exists()
