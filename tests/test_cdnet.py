"""CDnet 2014: its counts and figures, frame numbering, temporal ROI, and writing its layout."""

import cv2
import numpy as np
import pytest

from mnistseg.cdnet import (
    Counts,
    cdnet_metrics,
    frame_number,
    main,
    numbered_images,
    parse_temporal_roi,
    renumbered,
    temporal_roi,
)
from mnistseg.errors import InputError

H, W = 24, 32


def write_clip(path, frames):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"FFV1"), 10, (W, H))
    for frame in frames:
        writer.write(frame)
    writer.release()


@pytest.fixture
def clip(tmp_path):
    frames = [np.full((H, W, 3), 20 * t, np.uint8) for t in range(5)]
    masks = np.zeros((5, H, W), np.uint8)
    for t in range(5):
        masks[t, 4 : 8 + t, 2 * t : 2 * t + 6] = 1  # any nonzero value is foreground
    write_clip(tmp_path / "clip.avi", frames)
    np.save(tmp_path / "masks.npy", masks)
    return tmp_path, frames, masks


@pytest.mark.parametrize(("frames", "warmup", "text"), [(10, 3, "4 10\n"), (5, 0, "1 5\n"),
                                                         (5, 9, "5 5\n")])  # fmt: skip
def test_temporal_roi_starts_after_the_warmup(frames, warmup, text):
    assert temporal_roi(frames, warmup) == text


def test_a_clip_is_written_in_cdnets_layout(clip, capsys):
    root, frames, masks = clip
    main([str(root / "clip.avi"), str(root / "masks.npy"), str(root / "seq"), "--warmup", "2"])
    seq = root / "seq"
    assert sorted(p.name for p in seq.iterdir()) == ["groundtruth", "input", "temporalROI.txt"]
    assert sorted(p.name for p in (seq / "input").iterdir()) == [
        f"in{t:06d}.jpg" for t in range(1, 6)
    ]
    for t in range(1, 6):
        truth = cv2.imread(str(seq / "groundtruth" / f"gt{t:06d}.png"), cv2.IMREAD_UNCHANGED)
        np.testing.assert_array_equal(truth, np.where(masks[t - 1] > 0, 255, 0))
        jpg = cv2.imencode(".jpg", frames[t - 1], [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes()
        assert (seq / "input" / f"in{t:06d}.jpg").read_bytes() == jpg  # JPEG at quality 95
    assert (seq / "temporalROI.txt").read_text() == "3 5\n"
    assert capsys.readouterr().out == f"wrote 5 frames in CDnet's layout to {seq}\n"


def test_a_clip_and_masks_of_different_lengths_are_refused(clip):
    root, _, masks = clip
    np.save(root / "more.npy", np.concatenate([masks, masks[:1]]))
    with pytest.raises(SystemExit) as err:
        main([str(root / "clip.avi"), str(root / "more.npy"), str(root / "seq")])
    assert str(err.value) == (
        f"error: {root / 'clip.avi'} and {root / 'more.npy'}: 5 frames for 6 masks"
    )
    assert not (root / "seq").exists()


def test_masks_shorter_than_the_clip_cut_it(clip):
    root, _, masks = clip
    np.save(root / "fewer.npy", masks[:3])
    main([str(root / "clip.avi"), str(root / "fewer.npy"), str(root / "seq")])
    assert len(list((root / "seq" / "input").iterdir())) == 3
    assert (root / "seq" / "temporalROI.txt").read_text() == "3 3\n"  # default warm-up 30


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


@pytest.mark.parametrize(("name", "number", "renamed"), [("gt000699.png", 700, "gt000700.png"),
                         ("f7_x.tif", 12, "f12_x.tif"), ("in9.jpg", 10, "in10.jpg")])  # fmt: skip
def test_a_missing_mask_is_named_as_its_neighbours_are(name, number, renamed):
    assert renumbered(name, number) == renamed
