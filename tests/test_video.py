"""Background replacement on tiny synthetic clips, and the video stage's failures."""

import json
import re
from dataclasses import replace

import cv2
import numpy as np
import pytest

from conftest import load_stage, write_params
from mnistseg.errors import InputError, KnobError
from mnistseg.video import (
    Counts,
    ForegroundMasker,
    Replaced,
    VideoParams,
    VideoScorer,
    cdnet_metrics,
    composite,
    fit_background,
    frame_number,
    make_subtractor,
    mean_squared_error,
    numbered_images,
    parse_temporal_roi,
    preview_frames,
    psnr,
    replace_background,
)
from scratch import committed_section

DEFAULTS = committed_section(VideoParams, "video")  # the assignment's loop

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


def assignment_masks(frames):
    """The assignment's loop as it wrote it, transcribed: MOG2, > 200, open 3x3, median 5."""
    subtractor = cv2.createBackgroundSubtractorMOG2(detectShadows=True)
    kernel = np.ones((3, 3), np.uint8)
    for frame in frames:
        mask = subtractor.apply(frame)
        _, mask = cv2.threshold(mask, 200, 255, cv2.THRESH_BINARY)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
        yield cv2.medianBlur(mask, 5)


def test_defaults_are_the_assignment_loop_frame_by_frame():
    clip, _ = moving_square()
    background = np.full((H, W, 3), 7, np.uint8)
    ours = list(replace_background(clip, background, DEFAULTS))
    for t, (result, theirs) in enumerate(zip(ours, assignment_masks(clip))):
        np.testing.assert_array_equal(result.mask, theirs, err_msg=f"frame {t}")
        expected = np.where(theirs[..., None] > 0, clip[t], background)
        np.testing.assert_array_equal(result.composite, expected)
    assert len(ours) == len(clip)


def test_mask_follows_the_square():
    clip, truth = moving_square()
    scorer = VideoScorer(range(EMPTY, len(clip)), np.zeros((H, W, 3), np.uint8))
    masks = []
    for t, result in enumerate(replace_background(clip, np.zeros((H, W, 3), np.uint8), DEFAULTS)):
        scorer.add(t, result, truth[t])
        masks.append(result.mask)
    scores = scorer.metrics()
    assert scores["mean_iou_after_warmup"] > 0.8 and scores["scored_frames"] == len(clip) - EMPTY
    assert scores["cdnet"]["f_measure"] > 0.8
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
    ("change", "message"),
    [
        ({"median_kernel": 4}, "median_kernel must be 0 or odd, got 4"),
        ({"history": 0}, "history must be an integer >= 1, got 0"),
        ({"feather": -1}, "feather must be a number >= 0"),
        ({"subtractor": "vibe"}, "subtractor must be one of mog2, knn, gsoc, cnt"),
        ({"codec": "toolong"}, "codec must be a four-character code"),
        ({"cnt_min_stability": 20, "cnt_max_stability": 10}, "cnt_max_stability must be >= "),
    ],
)
def test_bad_video_params(change, message):
    with pytest.raises(KnobError, match=message):
        replace(DEFAULTS, **change)


@pytest.mark.parametrize("subtractor", ["mog2", "knn", "gsoc", "cnt"])
def test_every_subtractor_finds_the_square(subtractor):
    clip, truth = moving_square()
    params = replace(DEFAULTS, subtractor=subtractor)
    scorer = VideoScorer(range(EMPTY + 4, len(clip)), np.zeros((H, W, 3), np.uint8))
    for t, result in enumerate(replace_background(clip, np.zeros((H, W, 3), np.uint8), params)):
        scorer.add(t, result, truth[t])
    assert scorer.metrics()["cdnet"]["f_measure"] > 0.5, (subtractor, scorer.metrics())


def test_frames_of_another_size_stop_the_loop():
    clip, _ = moving_square(3)
    clip[2] = clip[2][:, :-1]
    with pytest.raises(InputError, match="frame 3 is 79x60, the first was 80x60"):
        list(replace_background(clip, np.zeros((H, W, 3), np.uint8), DEFAULTS))


def test_cdnet_figures_from_hand_made_counts():
    figures = cdnet_metrics(Counts(tp=30, fp=10, fn=20, tn=940))
    assert figures["recall"] == pytest.approx(30 / 50)
    assert figures["specificity"] == pytest.approx(940 / 950)
    assert figures["fpr"] == pytest.approx(10 / 950)
    assert figures["fnr"] == pytest.approx(20 / 50)
    assert figures["pwc"] == pytest.approx(100 * 30 / 1000)
    assert figures["precision"] == pytest.approx(30 / 40)
    assert figures["f_measure"] == pytest.approx(2 * 0.75 * 0.6 / (0.75 + 0.6))
    assert cdnet_metrics(Counts())["f_measure"] == 0.0


def test_per_frame_iou_and_f1_from_counts():
    pred = np.array([[255, 255, 0, 0]], np.uint8)
    truth = np.array([[255, 0, 255, 0]], np.uint8)
    frame = Counts.of(pred, truth)
    assert frame.iou() == pytest.approx(1 / 3) and frame.f1() == pytest.approx(2 / 4)
    assert Counts.of(pred * 0, truth * 0).iou() == 1.0 == Counts.of(pred * 0, truth * 0).f1()


def test_counts_add_field_by_field_and_any_nonzero_is_foreground():
    assert Counts(1, 2, 3, 4) + Counts(10, 20, 30, 40) == Counts(11, 22, 33, 44)
    pred = np.array([[1, 1, 0, 0]], np.uint8)  # a mask of ones, not of 255s
    truth = np.array([[255, 0, 255, 0]], np.uint8)
    assert Counts.of(pred, truth) == Counts(tp=1, fp=1, fn=1, tn=1)


@pytest.mark.parametrize(
    ("mse", "db"), [(0.0, float("inf")), (1.0, 48.1308), (65025.0, 0.0), (100.0, 28.1308)]
)
def test_psnr_of_8_bit_values(mse, db):
    assert psnr(mse) == pytest.approx(db, abs=1e-4)


def test_mean_squared_error_is_of_the_difference():
    a = np.array([[0, 10, 255]], np.uint8)
    b = np.array([[3, 10, 0]], np.uint8)
    assert mean_squared_error(a, b) == pytest.approx((9 + 0 + 255**2) / 3)


def test_the_scorer_pools_scored_frames_and_scores_the_composite():
    background = np.zeros((1, 4, 3), np.uint8)
    frame = np.full((1, 4, 3), 200, np.uint8)
    truth = np.array([[255, 255, 0, 0]], np.uint8)
    scorer = VideoScorer(range(1, 3), background)
    masks = [truth, np.array([[255, 0, 0, 255]], np.uint8), truth]
    for t, mask in enumerate(masks):
        result = Replaced(frame, mask, composite(frame, background, mask))
        scorer.add(t, result, truth)
    scores = scorer.metrics()
    assert scores["scored_frames"] == 2 and scorer.counts == Counts(tp=3, fp=1, fn=1, tn=3)
    assert scores["mean_iou"] == pytest.approx((1 + 1 / 3 + 1) / 3)
    assert scores["mean_iou_after_warmup"] == pytest.approx((1 / 3 + 1) / 2)
    assert scores["f1_after_warmup"] == pytest.approx((0.5 + 1) / 2)
    # Frame 1's composite is wrong at two of its four pixels by 200: MSE 200**2 / 2 / 2.
    assert scores["composite_psnr_after_warmup"] == pytest.approx(psnr(200**2 / 4))
    assert scores["cdnet"]["precision"] == 0.75


def test_cdnet_labels_count_as_cdnet_counts_them():
    truth = np.array([[255, 255, 0, 50, 85, 170]], np.uint8)
    pred = np.array([[255, 0, 255, 255, 255, 255]], np.uint8)
    counts = Counts.of(pred, truth)
    # shadow (50) predicted foreground is a false positive; 85 and 170 are not scored
    assert (counts.tp, counts.fn, counts.fp, counts.tn) == (1, 1, 2, 0)


def test_images_are_numbered_by_the_last_number_in_their_name():
    names = ["in000010.jpg", "in000002.jpg", "notes.txt", "in000001.JPG", "cam2_f3.png"]
    assert numbered_images(names, "x") == {
        1: "in000001.JPG", 2: "in000002.jpg", 3: "cam2_f3.png", 10: "in000010.jpg"
    }  # fmt: skip
    assert frame_number("gt000123.png") == 123 and frame_number("a.png") is None
    assert frame_number("v2.frame.0007.tif") == 7
    with pytest.raises(InputError) as err:
        numbered_images(["in1.jpg", "in01.png"], "video.input: seq")
    assert str(err.value) == "video.input: seq: in01.png and in1.jpg are both frame 1"
    with pytest.raises(InputError) as err:
        numbered_images(["in1.jpg", "cover.png"], "video.input: seq")
    assert str(err.value) == "video.input: seq/cover.png: no frame number in the name"


def test_temporal_roi():
    assert parse_temporal_roi("470 1700\n", "roi") == range(470, 1701)
    assert parse_temporal_roi("1 1", "roi") == range(1, 2)
    with pytest.raises(InputError, match="roi: expected two frame numbers"):
        parse_temporal_roi("470", "roi")
    for text in ("0 5", "6 5"):
        with pytest.raises(InputError) as err:
            parse_temporal_roi(text, "roi")
        assert str(err.value) == f"roi: expected 1 <= first <= last, got {text}"


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


def cdnet_folder(root):
    """The moving square as CDnet lays a sequence out: input/*.jpg, groundtruth/*.png, ROI."""
    clip, truth = moving_square()
    (root / "seq" / "input").mkdir(parents=True)
    (root / "seq" / "groundtruth").mkdir()
    for t, (frame, mask) in enumerate(zip(clip, truth), start=1):
        cv2.imwrite(str(root / "seq" / "input" / f"in{t:06d}.jpg"), frame)
        cv2.imwrite(str(root / "seq" / "groundtruth" / f"gt{t:06d}.png"), mask)
    (root / "seq" / "temporalROI.txt").write_text(f"{EMPTY + 1} {len(clip)}\n")
    return root / "seq"


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
        (mixed_sizes, "video.input: .*frame 2 is 82x60, the first was 80x60"),
        (lambda root: (root / "bg.png").unlink(), "video.background: .*bg.png: no such file"),
        (lambda root: (root / "bg.png").write_text("no") and {}, "bg.png: OpenCV cannot read it"),
        (lambda root: {"codec": "ZZZZ", "container": "avi"}, "video.codec 'ZZZZ' .* cannot write"),
        (lambda root: {"codec": "toolong"}, "video.codec must be a four-character code"),
        (lambda root: {"subtractor": "vibe"}, "video.subtractor must be one of"),
        (lambda root: np.save(root / "masks.npy", np.zeros((36, 5, 5), np.uint8)),
         r"video.ground_truth: .*masks.npy \(row 0\): masks of 5x5 do not fit frames of 80x60"),
        (lambda root: np.save(root / "masks.npy", np.zeros((30, H, W), np.uint8)),
         r"video.ground_truth: .*masks.npy \(row 30\): missing, and frame 31 is scored"),
        (lambda root: np.save(root / "masks.npy", np.zeros((40, H, W), np.uint8)),
         "video.ground_truth: .*masks.npy: 40 masks for 36 frames"),
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
    assert re.search(message, err), err
    assert len(err.strip().splitlines()) == 1, err
    assert not (clip_files / "out").exists() and not (clip_files / "video.json").exists()
    assert not [p for p in clip_files.iterdir() if p.name.startswith(".")]


# --- each knob reaches the subtractor and the clean-up --------------------------------------


def test_each_subtractor_is_built_with_its_knobs():
    mog2 = make_subtractor(replace(DEFAULTS, history=77, var_threshold=9, detect_shadows=False))
    assert isinstance(mog2, cv2.BackgroundSubtractorMOG2)
    assert (mog2.getHistory(), mog2.getVarThreshold(), mog2.getDetectShadows()) == (77, 9, False)
    knn = make_subtractor(
        replace(DEFAULTS, subtractor="knn", history=55, dist2_threshold=300, detect_shadows=False)
    )
    assert isinstance(knn, cv2.BackgroundSubtractorKNN)
    assert (knn.getHistory(), knn.getDist2Threshold(), knn.getDetectShadows()) == (55, 300, False)
    cnt = make_subtractor(
        replace(DEFAULTS, subtractor="cnt", cnt_min_stability=4, cnt_max_stability=40)
    )
    assert isinstance(cnt, cv2.bgsegm.BackgroundSubtractorCNT)
    assert (cnt.getMinPixelStability(), cnt.getMaxPixelStability()) == (4, 40)
    assert cnt.getUseHistory() is True and cnt.getIsParallel() is True
    gsoc = make_subtractor(replace(DEFAULTS, subtractor="gsoc"))
    assert isinstance(gsoc, cv2.bgsegm.BackgroundSubtractorGSOC)


def test_gsoc_gets_its_knobs():
    # GSOC has no getters: its masks under knobs far from OpenCV's defaults must equal those of
    # a GSOC built with them directly (one thread and a seeded RNG: GSOC draws at random).
    clip, _ = moving_square(28)
    params = replace(
        DEFAULTS, subtractor="gsoc", gsoc_samples=4, gsoc_replace_rate=0.2,
        gsoc_propagation_rate=0.3,
    )  # fmt: skip
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        cv2.setRNGSeed(0)
        ours = make_subtractor(params)
        ours_masks = [ours.apply(frame) for frame in clip]
        cv2.setRNGSeed(0)
        theirs = cv2.bgsegm.createBackgroundSubtractorGSOC(
            nSamples=4, replaceRate=0.2, propagationRate=0.3
        )
        theirs_masks = [theirs.apply(frame) for frame in clip]
        cv2.setRNGSeed(0)
        default = cv2.bgsegm.createBackgroundSubtractorGSOC()
        default_masks = [default.apply(frame) for frame in clip]
    finally:
        cv2.setNumThreads(threads)
    assert all(np.array_equal(a, b) for a, b in zip(ours_masks, theirs_masks))
    assert not all(np.array_equal(a, b) for a, b in zip(ours_masks, default_masks))


def test_a_contrib_subtractor_without_the_contrib_build_says_so(monkeypatch):
    monkeypatch.delattr(cv2, "bgsegm")
    with pytest.raises(KnobError) as err:
        make_subtractor(replace(DEFAULTS, subtractor="cnt"))
    assert str(err.value) == (
        "subtractor 'cnt' needs OpenCV's contrib modules (opencv-contrib-python-headless), "
        f"which this machine's OpenCV {cv2.__version__} lacks"
    )


class Raw:
    """A stand-in subtractor that returns given raw masks, to test what follows it."""

    def __init__(self, raw: np.ndarray) -> None:
        self.raw = raw

    def apply(self, frame: np.ndarray) -> np.ndarray:
        return self.raw


@pytest.mark.parametrize(
    ("open_kernel", "close_kernel", "median_kernel"), [(3, 0, 5), (0, 5, 0), (3, 3, 3), (0, 0, 0)]
)
def test_the_clean_up_thresholds_opens_closes_then_blurs(open_kernel, close_kernel, median_kernel):
    rng = np.random.default_rng(0)
    raw = rng.choice(np.array([0, 127, 255], np.uint8), size=(40, 50), p=[0.5, 0.2, 0.3])
    raw[10:30, 10:30] = 255
    raw[18, 12:28] = 0  # a gap that closing fills
    params = replace(
        DEFAULTS, mask_threshold=200, open_kernel=open_kernel, close_kernel=close_kernel,
        median_kernel=median_kernel,
    )  # fmt: skip
    masker = ForegroundMasker(params)
    masker.subtractor = Raw(raw)
    expected = np.where(raw > 200, 255, 0).astype(np.uint8)  # shadows (127) dropped
    if open_kernel:
        square = cv2.getStructuringElement(cv2.MORPH_RECT, (open_kernel, open_kernel))
        expected = cv2.morphologyEx(expected, cv2.MORPH_OPEN, square)
    if close_kernel:
        disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (close_kernel, close_kernel))
        expected = cv2.morphologyEx(expected, cv2.MORPH_CLOSE, disc)
    if median_kernel:
        expected = cv2.medianBlur(expected, median_kernel)
    mask = masker(np.zeros((40, 50, 3), np.uint8))
    np.testing.assert_array_equal(mask, expected)
    assert set(np.unique(mask)) <= {0, 255}
    if close_kernel:
        assert mask[18, 20] == 255  # the gap is filled


def test_feathered_composite_is_the_blurred_mask_as_alpha():
    frame = np.full((20, 30, 3), (200, 100, 50), np.uint8)
    background = np.full((20, 30, 3), (10, 20, 30), np.uint8)
    mask = np.zeros((20, 30), np.uint8)
    mask[5:15, 8:22] = 255
    for feather in (0.5, 2.0):
        alpha = cv2.GaussianBlur(mask, (0, 0), sigmaX=feather).astype(np.float64)[..., None] / 255
        expected = frame * alpha + background * (1 - alpha)
        out = composite(frame, background, mask, feather)
        assert np.abs(out - expected).max() <= 0.51, feather
        assert not np.array_equal(out, composite(frame, background, mask))  # not a hard cut


def test_the_loop_feathers_when_asked():
    clip, _ = moving_square(EMPTY + 3)
    background = np.zeros((H, W, 3), np.uint8)
    hard = list(replace_background(clip, background, DEFAULTS))
    soft = list(replace_background(clip, background, replace(DEFAULTS, feather=2.0)))
    np.testing.assert_array_equal(hard[-1].mask, soft[-1].mask)
    assert not np.array_equal(hard[-1].composite, soft[-1].composite)


def test_a_background_of_the_frames_size_is_used_as_it_is():
    background = np.zeros((H, W, 3), np.uint8)
    assert fit_background(background, W, H) is background
    board = (np.indices((40, 60)).sum(axis=0) % 2 * 255).astype(np.uint8)
    board = np.dstack([board] * 3)
    # Shrinking by area averages the checkerboard to grey; other interpolations do not.
    np.testing.assert_array_equal(
        fit_background(board, 30, 20), cv2.resize(board, (30, 20), interpolation=cv2.INTER_AREA)
    )
    assert np.abs(fit_background(board, 30, 20).astype(int) - 128).max() <= 1


@pytest.mark.parametrize(("expected", "count", "picks"), [(100, 3, {25, 50, 75}),
                                                          (10, 4, {2, 4, 6, 8})])  # fmt: skip
def test_preview_frames_spread_evenly(expected, count, picks):
    assert preview_frames(expected, count) == picks
    assert preview_frames(200) == {50, 100, 150}


def test_knob_rules_at_their_bounds():
    assert replace(DEFAULTS, median_kernel=0).median_kernel == 0
    assert replace(DEFAULTS, median_kernel=1).median_kernel == 1
    same = replace(DEFAULTS, cnt_min_stability=7, cnt_max_stability=7)
    assert same.cnt_max_stability == 7


def test_with_no_frame_in_the_scored_range_the_means_are_over_all_frames():
    background = np.zeros((1, 2, 3), np.uint8)
    truth = np.array([[255, 0]], np.uint8)
    scorer = VideoScorer(range(5, 6), background)
    for t, mask in enumerate([truth, np.zeros_like(truth)]):
        scorer.add(t, Replaced(background, mask, background), truth)
    scores = scorer.metrics()
    assert scores["scored_frames"] == 0 and "composite_psnr_after_warmup" not in scores
    assert scores["mean_iou_after_warmup"] == scores["mean_iou"] == 0.5
    assert scores["f1_after_warmup"] == scores["f1"] == 0.5


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


def test_per_frame_means_leave_out_frames_with_nothing_scored():
    background = np.zeros((1, 2, 3), np.uint8)
    scorer = VideoScorer(range(1, 10), background)
    outside = np.array([[85, 170]], np.uint8)  # outside the ROI, unknown: nothing scored
    wrong = np.array([[255, 255]], np.uint8)
    empty = np.zeros((1, 2), np.uint8)
    scorer.add(1, Replaced(background, empty, background), outside)
    scorer.add(2, Replaced(background, empty, background), wrong)
    scores = scorer.metrics()
    assert scores["mean_iou"] == scores["mean_iou_after_warmup"] == 0.0  # not (1 + 0) / 2
    assert scores["f1"] == 0.0 and scores["scored_frames"] == 2


@pytest.mark.parametrize("subtractor", ["mog2", "knn", "gsoc", "cnt"])
def test_the_same_frames_give_the_same_masks(subtractor):
    # Noisy enough that random sample updates (KNN, GSOC) change the masks.
    rng = np.random.default_rng(0)
    clip = [rng.normal(100, 20, (120, 160, 3)).clip(0, 255).astype(np.uint8) for _ in range(50)]
    for i, frame in enumerate(clip[20:]):
        frame[20:50, 10 + 2 * i : 40 + 2 * i] = 250
    params = replace(DEFAULTS, subtractor=subtractor)
    background = np.zeros((120, 160, 3), np.uint8)
    threads = cv2.getNumThreads()
    try:
        runs = [[r.mask for r in replace_background(clip, background, params)] for _ in range(3)]
    finally:
        cv2.setNumThreads(threads)
    for other in runs[1:]:
        assert all(np.array_equal(a, b) for a, b in zip(runs[0], other)), subtractor
