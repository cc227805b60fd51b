"""CDnet 2014: its counts and figures, its labels, temporal ROI and ground truth, a sequence."""

import cv2
import numpy as np
import pytest

from mnistseg.errors import InputError
from mnistseg.video.cdnet import (
    Counts,
    GroundTruth,
    cdnet_metrics,
    open_sequence,
    parse_temporal_roi,
)


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
    """255 is foreground; 0 and 50 (hard shadow) background; 85 (outside the ROI) and 170
    (unknown motion) count nowhere, whichever way they are predicted."""
    truth = np.array([[255, 255, 0, 0, 50, 50, 85, 85, 170, 170]], np.uint8)
    pred = np.array([[255, 0, 255, 0, 255, 0, 255, 0, 255, 0]], np.uint8)
    assert Counts.of(pred, truth) == Counts(tp=1, fn=1, fp=2, tn=2)


def test_temporal_roi():
    assert parse_temporal_roi("470 1700\n", "roi") == range(470, 1701)
    assert parse_temporal_roi("1 1", "roi") == range(1, 2)
    with pytest.raises(InputError, match="roi: expected two frame numbers"):
        parse_temporal_roi("470", "roi")
    for text in ("0 5", "6 5"):
        with pytest.raises(InputError) as err:
            parse_temporal_roi(text, "roi")
        assert str(err.value) == f"roi: expected 1 <= first <= last, got {text}"


def test_ground_truth_from_an_npy_scores_after_the_warmup(tmp_path):
    np.save(tmp_path / "masks.npy", np.zeros((6, 4, 5), np.uint8))
    truth = GroundTruth(str(tmp_path / "masks.npy"), warmup=3)
    assert truth.numbers == {1, 2, 3, 4, 5, 6} and 3 not in truth.scored and 4 in truth.scored
    assert 10**9 in truth.scored  # up to any frame number
    assert truth.mask(2, (4, 5)).shape == (4, 5)
    with pytest.raises(InputError) as err:
        truth.mask(2, (5, 7))
    assert str(err.value) == (
        f"video.ground_truth: {tmp_path / 'masks.npy'} (row 1): masks of 5x4 do not fit "
        "frames of 7x5"
    )
    np.save(tmp_path / "flat.npy", np.zeros((6, 4), np.uint8))
    with pytest.raises(InputError) as err:
        GroundTruth(str(tmp_path / "flat.npy"), warmup=0, param="p")
    assert str(err.value) == f"p: {tmp_path / 'flat.npy'}: expected (T, H, W) masks, got (6, 4)"
    with pytest.raises(FileNotFoundError) as err:
        GroundTruth(str(tmp_path / "none.npy"), warmup=0, param="p")
    assert str(err.value) == f"p: {tmp_path / 'none.npy'}: no such file (or set it to `none`)"


def test_ground_truth_from_a_folder_scores_its_temporal_roi_or_after_the_warmup(tmp_path):
    folder = tmp_path / "seq" / "groundtruth"
    folder.mkdir(parents=True)
    for number in (1, 2, 3):
        cv2.imwrite(str(folder / f"gt{number:06d}.png"), np.zeros((4, 5), np.uint8))
    truth = GroundTruth(str(folder), warmup=1, param="p")
    assert truth.scored.start == 2 and 10**9 in truth.scored
    (folder.parent / "temporalROI.txt").write_text("2 3\n")
    assert GroundTruth(str(folder), warmup=1, param="p").scored == range(2, 4)
    (folder.parent / "temporalROI.txt").write_text("3\n")
    with pytest.raises(InputError) as err:
        GroundTruth(str(folder), warmup=1, param="p")
    roi = folder.parent / "temporalROI.txt"
    assert str(err.value) == f"{roi}: expected two frame numbers, got '3'"
    (folder / "gt000002.png").write_bytes(b"not a png")
    (folder.parent / "temporalROI.txt").unlink()
    with pytest.raises(InputError) as err:
        GroundTruth(str(folder), warmup=0, param="p").mask(2, (4, 5))
    assert str(err.value) == f"p: {folder / 'gt000002.png'}: OpenCV cannot read it as an image"
    (folder / "notes.md").write_text("x")
    (folder / "gt.png").write_bytes(b"")
    with pytest.raises(InputError) as err:
        GroundTruth(str(folder), warmup=0, param="p")
    assert str(err.value) == f"p: {folder}/gt.png: no frame number in the name"


def test_a_sequence_pairs_frames_and_masks_and_names_what_is_missing(tmp_path):
    seq = tmp_path / "seq"
    with pytest.raises(FileNotFoundError) as err:
        open_sequence(seq, "bench.sequences.s")
    assert str(err.value) == (
        f"bench.sequences.s: {seq / 'input'}: no such folder (CDnet's layout)"
    )
    for sub, prefix in (("input", "in"), ("groundtruth", "gt")):
        (seq / sub).mkdir(parents=True)
        for number in (1, 2, 3, 4):
            cv2.imwrite(str(seq / sub / f"{prefix}{number:06d}.png"), np.zeros((4, 5), np.uint8))
    frames, truth = open_sequence(seq, "bench.sequences.s")
    assert list(frames.files) == [1, 2, 3, 4] and truth.scored.start == 1  # no ROI: every frame
    (seq / "temporalROI.txt").write_text("3 4\n")
    (seq / "groundtruth" / "gt000001.png").unlink()  # before the ROI: fine
    assert list(open_sequence(seq, "bench.sequences.s")[0].files) == [1, 2, 3, 4]
    (seq / "groundtruth" / "gt000004.png").unlink()
    with pytest.raises(InputError) as err:
        open_sequence(seq, "bench.sequences.s")
    assert str(err.value) == (
        f"bench.sequences.s: {seq / 'groundtruth' / 'gt000004.png'}: missing, and frame 4 is scored"
    )
    cv2.imwrite(str(seq / "groundtruth" / "gt000004.png"), np.zeros((4, 5), np.uint8))
    (seq / "input" / "in000002.png").unlink()
    with pytest.raises(InputError) as err:
        open_sequence(seq, "bench.sequences.s")
    assert str(err.value) == (
        f"bench.sequences.s: {seq / 'input'}: frame 2 missing, and its mask "
        f"{seq / 'groundtruth' / 'gt000002.png'} is there"
    )


def test_a_figure_whose_denominator_is_zero_is_zero():
    assert cdnet_metrics(Counts(tn=10)) == {  # no positives: recall, FNR, precision undefined
        "recall": 0.0, "specificity": 1.0, "fpr": 0.0, "fnr": 0.0, "pwc": 0.0,
        "precision": 0.0, "f_measure": 0.0,
    }  # fmt: skip
    assert cdnet_metrics(Counts(tp=4)) == {  # no negatives: specificity, FPR undefined
        "recall": 1.0, "specificity": 0.0, "fpr": 0.0, "fnr": 0.0, "pwc": 0.0,
        "precision": 1.0, "f_measure": 1.0,
    }  # fmt: skip


def test_the_f_measure_is_taken_from_precision_and_recall_as_cdnet_does():
    precision, recall = 1 / 1, 1 / 5
    figures = cdnet_metrics(Counts(tp=1, fn=4, tn=5))
    # 0.33333333333333337: one ulp away from 2 TP / (2 TP + FP + FN) = 0.3333333333333333
    assert figures["f_measure"] == 2 * precision * recall / (precision + recall)


def test_a_sequence_with_no_frames_is_named(tmp_path):
    seq = tmp_path / "seq"
    for sub in ("input", "groundtruth"):
        (seq / sub).mkdir(parents=True)
    with pytest.raises(InputError, match=r"^bench.sequences.s: .*input: a folder with no images"):
        open_sequence(seq, "bench.sequences.s")
