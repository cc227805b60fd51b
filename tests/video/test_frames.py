"""Reading frames: numbered images (CDnet's names), folders of them, video files."""

import cv2
import numpy as np
import pytest

from mnistseg.errors import InputError
from mnistseg.video.frames import (
    DEFAULT_FPS,
    frame_number,
    numbered_images,
    open_frames,
    renumbered,
)


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


def test_a_folder_of_frames_is_read_in_number_order(tmp_path):
    for number in (10, 2, 1):
        cv2.imwrite(str(tmp_path / f"in{number:06d}.png"), np.full((4, 5, 3), number, np.uint8))
    (tmp_path / "notes.txt").write_text("not a frame")
    frames = open_frames(tmp_path, "video.input")
    assert list(frames.numbers) == [1, 2, 10] and list(frames.files) == [1, 2, 10]
    assert (frames.fps, frames.expected) == (DEFAULT_FPS, 3)
    assert [int(image[0, 0, 0]) for image in frames.images] == [1, 2, 10]


def test_a_video_is_read_as_it_decodes_numbered_from_one(tmp_path):
    writer = cv2.VideoWriter(str(tmp_path / "c.avi"), cv2.VideoWriter_fourcc(*"FFV1"), 8, (6, 4))
    for value in (10, 20, 30):
        writer.write(np.full((4, 6, 3), value, np.uint8))
    writer.release()
    frames = open_frames(tmp_path / "c.avi", "video.input")
    images = list(frames.images)
    assert [int(image[0, 0, 0]) for image in images] == [10, 20, 30]
    assert [n for n, _ in zip(frames.numbers, images)] == [1, 2, 3]
    assert frames.files is None and frames.fps == 8 and frames.expected == 3


def test_what_cannot_be_read_names_the_parameter(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"^video.input: .*nothing: no such file or folder"):
        open_frames(tmp_path / "nothing", "video.input")
    (tmp_path / "junk.avi").write_bytes(b"not a video")
    with pytest.raises(InputError, match=r"^clip: .*junk.avi: OpenCV cannot open it as a video"):
        open_frames(tmp_path / "junk.avi", "clip")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"^video.input: .*empty: a folder with no images"):
        open_frames(tmp_path / "empty", "video.input")


def test_grey_frames_in_a_folder_are_read_as_colour(tmp_path):
    for number in (1, 2):
        cv2.imwrite(str(tmp_path / f"in{number:06d}.png"), np.full((4, 5), 9 * number, np.uint8))
    frames = list(open_frames(tmp_path, "video.input").images)
    assert [f.shape for f in frames] == [(4, 5, 3)] * 2 and (frames[1] == 18).all()


def test_a_frame_that_cannot_be_read_names_the_parameter(tmp_path):
    cv2.imwrite(str(tmp_path / "in000001.png"), np.zeros((4, 5, 3), np.uint8))
    (tmp_path / "in000002.png").write_bytes(b"not an image")
    with pytest.raises(InputError, match=r"^video.input: .*in000002.png: OpenCV cannot read"):
        list(open_frames(tmp_path, "video.input").images)


def test_frames_without_zero_padding_come_in_number_order(tmp_path):
    """in9 sorts after in10 by name: frames go by number, in the mapping and as read."""
    assert list(numbered_images(["in10.png", "in9.png", "in100.png"], "x")) == [9, 10, 100]
    for number in (9, 10, 100):
        cv2.imwrite(str(tmp_path / f"in{number}.png"), np.full((4, 5, 3), number, np.uint8))
    frames = open_frames(tmp_path, "video.input")
    assert list(frames.numbers) == list(frames.files) == [9, 10, 100]
    assert [int(image[0, 0, 0]) for image in frames.images] == [9, 10, 100]
