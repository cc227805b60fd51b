"""CDnet 2014: its counts and figures, frame numbering, temporal ROI, and writing its layout."""

import cv2
import numpy as np
import pytest

from mnistseg.commands import main as mnistseg
from mnistseg.errors import InputError
from mnistseg.video.cdnet import (
    Counts,
    GroundTruth,
    cdnet_metrics,
    frame_number,
    numbered_images,
    open_sequence,
    parse_temporal_roi,
    renumbered,
    temporal_roi,
)

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


def cdnet_command(args: list[str]) -> None:
    mnistseg(["cdnet", *args])


def test_a_clip_is_written_in_cdnets_layout(clip, capsys):
    root, frames, masks = clip
    cdnet_command(
        [str(root / "clip.avi"), str(root / "masks.npy"), str(root / "seq"), "--warmup", "2"]
    )
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


def test_a_clip_and_masks_of_different_lengths_are_refused(clip, capsys):
    root, _, masks = clip
    np.save(root / "more.npy", np.concatenate([masks, masks[:1]]))
    with pytest.raises(SystemExit) as err:
        cdnet_command([str(root / "clip.avi"), str(root / "more.npy"), str(root / "seq")])
    assert err.value.code == 1
    assert capsys.readouterr().err == (
        f"error: {root / 'clip.avi'} and {root / 'more.npy'}: 5 frames for 6 masks\n"
    )
    assert not (root / "seq").exists()


def test_masks_shorter_than_the_clip_cut_it(clip):
    root, _, masks = clip
    np.save(root / "fewer.npy", masks[:3])
    cdnet_command([str(root / "clip.avi"), str(root / "fewer.npy"), str(root / "seq")])
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


def test_frame_numbers_come_from_the_name_not_its_suffix():
    assert frame_number("x12.mp4") == 12 and frame_number("cam.2.f0009.png") == 9
    assert renumbered("cam.1.f000699.png", 700) == "cam.1.f000700.png"
    # A file that is not an image is passed over, wherever it sorts.
    assert numbered_images(["a.txt", "in2.png", "in1.png", "z.json"], "x") == {
        1: "in1.png", 2: "in2.png"
    }  # fmt: skip


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
    assert list(frames) == [1, 2, 3, 4] and truth.scored.start == 1  # no ROI: every frame
    (seq / "temporalROI.txt").write_text("3 4\n")
    (seq / "groundtruth" / "gt000001.png").unlink()  # before the ROI: fine
    assert list(open_sequence(seq, "bench.sequences.s")[0]) == [1, 2, 3, 4]
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
