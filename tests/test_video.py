"""Background replacement on tiny synthetic clips, and the video stage's failures."""

import json
import re

import cv2
import numpy as np
import pytest

from conftest import load_stage
from mnistseg.video import (
    ClipParams,
    ForegroundMasker,
    MaskParams,
    composite,
    fit_background,
    mask_scores,
    render_clip,
)

H, W, SIDE = 60, 80, 12


EMPTY, SPEED = 20, 4  # frames of background alone (MOG2 learns it), then pixels per frame


def moving_square(frames: int = 36) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """A still, lightly noisy background; after EMPTY frames a bright square slides right."""
    rng = np.random.default_rng(0)
    scene = rng.integers(60, 120, size=(H, W, 3), dtype=np.uint8)
    clip, truth = [], []
    for t in range(frames):
        frame, mask = scene.copy(), np.zeros((H, W), np.uint8)
        if t >= EMPTY:
            x = 2 + SPEED * (t - EMPTY)
            frame[20 : 20 + SIDE, x : x + SIDE] = (30, 220, 250)
            mask[20 : 20 + SIDE, x : x + SIDE] = 255
        noise = rng.normal(0, 1.5, size=frame.shape)
        clip.append(np.clip(frame + noise, 0, 255).astype(np.uint8))
        truth.append(mask)
    return clip, truth


def test_mask_follows_the_square():
    clip, truth = moving_square()
    masker = ForegroundMasker(MaskParams())
    masks = np.stack([masker(frame) for frame in clip])
    scores = mask_scores(masks, np.stack(truth), warmup=EMPTY)
    assert scores["mean_iou_after_warmup"] > 0.8
    for t in range(EMPTY, len(clip)):
        ys, xs = np.nonzero(masks[t])
        x = 2 + SPEED * (t - EMPTY)
        assert abs(xs.mean() - (x + SIDE / 2)) < 2 and abs(ys.mean() - (20 + SIDE / 2)) < 2


def test_composite_shows_the_new_background_off_the_mask():
    clip, truth = moving_square()
    background = np.full((H, W, 3), (200, 10, 10), np.uint8)
    out = composite(clip[-1], background, truth[-1])
    on = truth[-1] > 0
    np.testing.assert_array_equal(out[on], clip[-1][on])
    np.testing.assert_array_equal(out[~on], background[~on])


def test_feather_softens_only_the_edge():
    clip, truth = moving_square(EMPTY + 1)  # the square at x = 2..13
    background = np.zeros((H, W, 3), np.uint8)
    hard = composite(clip[-1], background, truth[-1])
    soft = composite(clip[-1], background, truth[-1], feather=1.5)
    np.testing.assert_array_equal(soft[26, 8], hard[26, 8])  # deep inside the square
    np.testing.assert_array_equal(soft[50, 60], hard[50, 60])  # far outside
    assert (soft[20:32, 1] > 0).any()  # just left of the edge: some of the square bleeds in


def test_background_of_another_size_is_resized():
    fitted = fit_background(np.zeros((10, 300, 3), np.uint8), W, H)
    assert fitted.shape == (H, W, 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"median_kernel": 4}, "median_kernel"),
        ({"history": 0}, "history"),
        ({"feather": -1}, "feather"),
    ],
)
def test_bad_mask_params(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MaskParams(**kwargs)


def test_rendered_clip_masks_are_exact():
    digits = np.zeros((3, 28, 28), np.uint8)
    digits[:, 8:20, 12:16] = 255
    params = ClipParams(frames=5, width=120, height=100, digits=2, scale=2, noise=0)
    frames, masks, background = render_clip(digits, params, np.random.default_rng(1))
    assert frames.shape == (5, 100, 120, 3) and masks.shape == (5, 100, 120)
    still = frames[0][(masks[0] == 0) & (masks[1] == 0)]
    np.testing.assert_array_equal(still, frames[1][(masks[0] == 0) & (masks[1] == 0)])
    assert masks.max() == 255 and background.shape[:2] != (100, 120)


# --- the stage ---------------------------------------------------------------------------------


def write_clip(path, frames, fourcc="FFV1"):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 10, (W, H))
    for frame in frames:
        writer.write(frame)
    writer.release()


@pytest.fixture
def clip_files(tmp_path):
    clip, truth = moving_square()
    write_clip(tmp_path / "clip.avi", clip)
    np.save(tmp_path / "masks.npy", np.stack(truth))
    cv2.imwrite(str(tmp_path / "bg.png"), np.full((90, 70, 3), 128, np.uint8))
    return tmp_path


def video_args(root, **change):
    values = {
        "input": root / "clip.avi", "background": root / "bg.png",
        "ground_truth": root / "masks.npy",
        "history": 500, "var_threshold": 16, "detect_shadows": "true", "mask_threshold": 200,
        "open_kernel": 3, "close_kernel": 0, "median_kernel": 5, "feather": 0,
        "codec": "mp4v", "container": "mp4", "warmup": EMPTY,
    }  # fmt: skip
    values.update(change)
    args = [item for key, value in values.items() for item in (f"--video.{key}", str(value))]
    outputs = ["--out", root / "out", "--metrics", root / "video.json", "--preview", root / "p.png"]
    return args + [str(item) for item in outputs]


def test_stage_keeps_frame_count_size_and_fps(clip_files):
    load_stage("video").main(video_args(clip_files))
    metrics = json.loads((clip_files / "video.json").read_text())
    shape = (metrics["frames"], metrics["width"], metrics["height"], metrics["fps"])
    assert shape == (36, W, H, 10)
    assert metrics["mean_iou_after_warmup"] > 0.8
    out = cv2.VideoCapture(str(clip_files / "out" / "composite.mp4"))
    assert int(out.get(cv2.CAP_PROP_FRAME_COUNT)) == 36 and out.get(cv2.CAP_PROP_FPS) == 10
    assert (out.get(cv2.CAP_PROP_FRAME_WIDTH), out.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (W, H)


def make_unreadable(root):
    (root / "clip.avi").write_bytes(b"this is not a video")


def make_empty(root):
    write_clip(root / "clip.avi", [])


@pytest.mark.parametrize(
    ("damage", "change", "message"),
    [
        (lambda root: (root / "clip.avi").unlink(), {}, "video.input: .*clip.avi: no such file"),
        (make_unreadable, {}, "video.input: .*clip.avi: (OpenCV cannot open it|holds no frames)"),
        (make_empty, {}, "video.input: .*clip.avi: (OpenCV cannot open it|holds no frames)"),
        (lambda root: (root / "bg.png").unlink(), {}, "video.background: .*bg.png: no such file"),
        (lambda root: (root / "bg.png").write_text("no"), {}, "bg.png: OpenCV cannot read it"),
        (None, {"codec": "ZZZZ", "container": "avi"}, "video.codec 'ZZZZ' .* cannot write it"),
        (None, {"codec": "toolong"}, "video.codec must be a four-character code"),
        (lambda root: np.save(root / "masks.npy", np.zeros((36, 5, 5), np.uint8)), {},
         "video.ground_truth: .*do not fit"),
    ],
    ids=["missing", "unreadable", "no-frames", "no-background", "bad-background", "codec",
         "fourcc", "truth-size"],
)  # fmt: skip
def test_bad_input_fails_cleanly(clip_files, capsys, damage, change, message):
    if damage:
        damage(clip_files)
    with pytest.raises(SystemExit) as exit_info:
        load_stage("video").main(video_args(clip_files, **change))
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert not (clip_files / "out").exists() and not (clip_files / "video.json").exists()
    assert not [p for p in clip_files.iterdir() if p.name.startswith(".")]
