"""Stage `video` (Q5): replace the background of a fixed-camera video, score the masks."""

from pathlib import Path

import cv2
import numpy as np

import checkout_src  # noqa: F401  (this checkout's src/ first on the path)
from mnistseg.entry_points import run_stage, stage_parser
from mnistseg.errors import ParamError
from mnistseg.fileio import staged_dir, write_bytes, write_json
from mnistseg.params import load_section, param_error
from mnistseg.pictures import encode_png, video_preview
from mnistseg.video.config import Output, VideoParams
from mnistseg.video.frames import open_frames, read_image
from mnistseg.video.loop import NO_GROUND_TRUTH, Replacement, preview_frames, process_clip
from mnistseg.video.masks import ForegroundMasker
from mnistseg.video.scoring import headline
from mnistseg.video.truth import GroundTruth


class ClipWriter:
    """The composited video, opened at the first frame (whose size it takes)."""

    def __init__(self, path: Path, output: Output, fps: float, params_file: Path) -> None:
        self.path, self.output, self.fps, self.params_file = path, output, fps, params_file
        self.writer = None

    def __call__(self, frame: np.ndarray) -> None:
        if self.writer is None:
            fourcc = cv2.VideoWriter_fourcc(*self.output.codec)
            self.writer = cv2.VideoWriter(str(self.path), fourcc, self.fps, frame.shape[1::-1])
            if not self.writer.isOpened():
                raise param_error(
                    self.params_file,
                    f"video.output.codec {self.output.codec!r} in video.output.container "
                    f"{self.output.container!r}: OpenCV cannot write it on this machine "
                    "(mp4v/mp4 and MJPG/avi work)",
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
    frames = open_frames(Path(params.input), "video.input")
    source = f"video.input: {params.input}"
    truth = None
    if params.ground_truth != NO_GROUND_TRUTH:
        truth = GroundTruth(params.ground_truth, params.warmup)
        if frames.files is not None:  # a folder: pair frames and masks before any work
            truth.check_frames(frames.files, source)
    try:
        masker = ForegroundMasker(params.subtractor, params.knobs(), params.cleanup)
    except ParamError as exc:  # a method this machine cannot run
        raise param_error(opts.params, str(exc)) from None

    with staged_dir(opts.out) as tmp:
        output = params.output
        writer = ClipWriter(tmp / f"composite.{output.container}", output, frames.fps, opts.params)
        try:
            clip = process_clip(
                frames.images,
                frames.numbers,
                masker,
                source,
                truth,
                Replacement(background, output.feather, writer),
                preview_frames(frames.expected),
            )
        finally:
            writer.close()
        scores = clip.record(frames.fps)
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
