"""Stage `video` (Q5): replace the background of a fixed-camera video, score the masks."""

import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path

import cv2
import numpy as np

import checkout_src  # noqa: F401  (this checkout's src/ first on the path)
from mnistseg.cdnet import GroundTruth, image_folder, read_image
from mnistseg.cli import run_stage, stage_parser
from mnistseg.errors import InputError, ParamError
from mnistseg.fileio import staged_dir, write_bytes, write_json
from mnistseg.params import load_section, restore_hint
from mnistseg.preview import encode_png, video_preview
from mnistseg.video import NO_GROUND_TRUTH, VideoParams, headline, preview_frames, process_clip

DEFAULT_FPS = 25.0  # for a folder of frames, which has no frame rate of its own


def open_frames(path: Path) -> tuple[dict[int, Path] | None, Iterator[np.ndarray], float, int]:
    """(a folder's frames by number or None for a video, the frames as they decode, fps, how
    many there should be). A video's frames are numbered 1, 2, ... as they decode."""
    if path.is_dir():
        files = image_folder(path, "video.input")
        frames = (read_image(file, cv2.IMREAD_COLOR, "video.input") for file in files.values())
        return files, frames, DEFAULT_FPS, len(files)
    if not path.is_file():
        raise FileNotFoundError(f"video.input: {path}: no such file or folder")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise InputError(f"video.input: {path}: OpenCV cannot open it as a video")

    def decoded() -> Iterator[np.ndarray]:
        ok, frame = capture.read()
        while ok:
            yield frame
            ok, frame = capture.read()
        capture.release()

    # The container's frame count is only a hint (for previews): frames are counted as decoded.
    hint = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    return None, decoded(), capture.get(cv2.CAP_PROP_FPS) or DEFAULT_FPS, hint


class ClipWriter:
    """The composited video, opened at the first frame (whose size it takes)."""

    def __init__(self, path: Path, params: VideoParams, fps: float, params_file: Path) -> None:
        self.path, self.params, self.fps, self.params_file = path, params, fps, params_file
        self.writer = None

    def __call__(self, frame: np.ndarray) -> None:
        if self.writer is None:
            fourcc = cv2.VideoWriter_fourcc(*self.params.codec)
            self.writer = cv2.VideoWriter(str(self.path), fourcc, self.fps, frame.shape[1::-1])
            if not self.writer.isOpened():
                raise ParamError(
                    f"video.codec {self.params.codec!r} in video.container "
                    f"{self.params.container!r}: OpenCV cannot write it on this machine "
                    "(mp4v/mp4 and MJPG/avi work). " + restore_hint(self.params_file)
                )
        self.writer.write(frame)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.release()


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--out", required=True, help="folder for the composited video")
    args.add_argument("--metrics", required=True)
    args.add_argument("--preview", required=True)
    opts = args.parse_args(argv)
    params = load_section(VideoParams, "video", opts.params)

    if not Path(params.background).is_file():
        raise FileNotFoundError(f"video.background: {params.background}: no such file")
    background = read_image(Path(params.background), cv2.IMREAD_COLOR, "video.background")
    numbered, frames, fps, expected = open_frames(Path(params.input))
    numbers: Iterable[int] = numbered or itertools.count(1)
    truth = None
    if params.ground_truth != NO_GROUND_TRUTH:
        truth = GroundTruth(params.ground_truth, params.warmup)
        if numbered is not None:  # a folder: pair frames and masks before any work
            truth.check_frames(numbered, f"video.input: {params.input}")

    with staged_dir(opts.out) as tmp:
        writer = ClipWriter(tmp / f"composite.{params.container}", params, fps, opts.params)
        try:
            clip = process_clip(
                frames, numbers, background, params, writer, truth, preview_frames(expected)
            )
        finally:
            writer.close()
        scores = clip.record(fps)
        # The full record beside the video (`dvc metrics show data/video/scores.json`); the
        # metrics file keeps the headline, under `video`, for `dvc exp show`.
        write_json(tmp / "scores.json", scores)
    write_json(opts.metrics, {"video": headline(scores)})
    shots = [(shot.frame, shot.mask, shot.composite) for shot in clip.shots]
    write_bytes(opts.preview, encode_png(video_preview(shots)))
    summary = ", ".join(f"{k} {v:.4g}" for k, v in scores.items() if isinstance(v, float))
    print(
        f"video: {clip.frames} frames of {clip.width}x{clip.height}; {summary} "
        f"({clip.frames / clip.seconds:.0f} frames/s)"
    )


if __name__ == "__main__":
    main()
