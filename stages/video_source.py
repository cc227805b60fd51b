"""Stage `video_source`: render the default clip (MNIST digits drifting over a still scene).

Writes the clip losslessly (FFV1), the exact foreground mask of every frame and a replacement
background image, so the `video` stage can be scored against ground truth.
"""

import cv2
import numpy as np

import checkout_src  # noqa: F401  (this checkout's src/ first on the path)
from mnistseg.data.arrays import OTSU_ARRAYS, load_split
from mnistseg.entry_points import run_stage, stage_parser
from mnistseg.fileio import staged_file, write_bytes
from mnistseg.params import load_section
from mnistseg.pictures import encode_png
from mnistseg.video.synthetic import ClipParams, render_clip


@run_stage
def main(argv: list[str] | None = None) -> None:
    args = stage_parser(__doc__)
    args.add_argument("--otsu", required=True, help="dataset folder: test digits are drawn")
    args.add_argument("--clip", required=True, help="the rendered video (.avi, FFV1)")
    args.add_argument("--masks", required=True, help="(T, H, W) foreground masks (.npy)")
    args.add_argument("--background", required=True, help="a replacement background (.png)")
    opts = args.parse_args(argv)
    params = load_section(ClipParams, "video_source", opts.params)
    digits = load_split(opts.otsu, "test", OTSU_ARRAYS)["images"]
    frames, masks, background = render_clip(np.asarray(digits), params)
    with staged_file(opts.clip) as clip:
        size = (params.width, params.height)
        writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"FFV1"), params.fps, size)
        if not writer.isOpened():
            raise RuntimeError("this OpenCV build cannot write FFV1 video")
        for frame in frames:
            writer.write(frame)
        writer.release()
    with staged_file(opts.masks) as path:
        np.save(path, masks, allow_pickle=False)
    write_bytes(opts.background, encode_png(background))
    print(
        f"video_source: {params.frames} frames of {params.width}x{params.height} at "
        f"{params.fps} fps, {params.digits} digits, mean foreground {(masks > 0).mean():.3f}"
    )


if __name__ == "__main__":
    main()
