"""Ground truth by frame number (a CDnet folder or a .npy) and a CDnet sequence's pairing."""

import cv2
import numpy as np
import pytest

from mnistseg.errors import InputError
from mnistseg.video.truth import GroundTruth, open_sequence


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


def test_a_sequence_with_no_frames_is_named(tmp_path):
    seq = tmp_path / "seq"
    for sub in ("input", "groundtruth"):
        (seq / sub).mkdir(parents=True)
    with pytest.raises(InputError, match=r"^bench.sequences.s: .*input: a folder with no images"):
        open_sequence(seq, "bench.sequences.s")
