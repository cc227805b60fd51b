"""`mnistseg cdnet`: a clip and its masks written in CDnet 2014's layout."""

import cv2
import numpy as np
import pytest

from mnistseg.commands import main as mnistseg
from mnistseg.video.cdnet import temporal_roi

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


def test_a_folder_of_the_users_keeps_its_files_and_a_second_run_stops(clip, capsys):
    root, _, _ = clip
    seq = root / "seq"
    (seq / "input").mkdir(parents=True)
    (seq / "input" / "notes.txt").write_text("mine")
    args = [str(root / "clip.avi"), str(root / "masks.npy"), str(seq)]
    cdnet_command(args)
    first = {p: p.read_bytes() for p in seq.rglob("*") if p.is_file()}
    assert first[seq / "input" / "notes.txt"] == b"mine" and len(first) == 1 + 5 + 5 + 1
    with pytest.raises(SystemExit) as exited:
        cdnet_command(args)
    assert exited.value.code == 1
    assert capsys.readouterr().err.startswith(f"error: {seq / 'groundtruth' / 'gt000001.png'}, ")
    cdnet_command([*args, "--overwrite"])
    assert {p: p.read_bytes() for p in seq.rglob("*") if p.is_file()} == first
