"""Time the pipeline as a user runs it, in a throwaway copy of this project.

    python benchmarks/benchmark.py                      # the assignment's workload
    python benchmarks/benchmark.py --workload default   # params.yaml as committed
    python benchmarks/benchmark.py --data-only          # the four data stages alone
    python benchmarks/benchmark.py --video-only         # the video loops against the assignment's

Prints the end-to-end wall time of a fresh `dvc repro` with its peak memory, then one row per
stage: wall seconds and peak memory of that stage's process run alone, and its start-up (the
interpreter and every import the stage makes before its first real work, timed as
`python stages/<stage>.py --help`). Then the frames per second of the assignment's
background-replacement loop and of the `video` stage's loop with each subtractor, on the same
real clip. Nothing here asserts: the figures are for the README and for comparing commits on
one machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from scratch import dvc_env, make_project, merge  # noqa: E402  (the tests' scratch projects)

DATA_STAGES = ("download", "otsu", "circles", "composites")
# The assignment's own workload: 5 epochs, batch sizes 64/64/4, 100 training composites.
WORKLOADS = {
    "assignment": {"epochs": 5, "composites": {"train": 100}},
    "default": {},
}


def run_measured(args: list[str] | str, cwd: Path, shell: bool = False) -> tuple[float, float, str]:
    """Run a command; return (wall seconds, peak resident MiB of it and its children, output)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args,
        cwd=cwd,
        env=dvc_env(),
        shell=shell,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = proc.stdout.read()
    # wait4 rather than proc.wait(): it also returns the child's resource usage, whose
    # ru_maxrss covers the largest of its waited-for descendants too.
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"{args} failed ({proc.returncode}):\n{output}")
    return wall, usage.ru_maxrss / 1024, output


def stage_commands(root: Path, targets: list[str]) -> list[tuple[str, str]]:
    """(stage, command) in the order `dvc repro` would run them."""
    dry = subprocess.run(
        [sys.executable, "-m", "dvc", "repro", "--dry", "-f", *targets],
        cwd=root,
        env=dvc_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return re.findall(r"Running stage '([^']+)':\n> (.+)", dry)


def assignment_video_loop(video: Path, background: Path, out: Path) -> float:
    """The assignment's loop as it wrote it (MOG2, > 200, open 3x3, median 5); returns frames/s."""
    start = time.perf_counter()
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS)
    width, height = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    new_background = cv2.resize(cv2.imread(str(background)), (width, height))
    subtractor = cv2.createBackgroundSubtractorMOG2(detectShadows=True)
    kernel = np.ones((3, 3), np.uint8)
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    frames = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        mask = subtractor.apply(frame)
        _, mask = cv2.threshold(mask, 200, 255, cv2.THRESH_BINARY)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
        mask = cv2.medianBlur(mask, 5)
        foreground = cv2.bitwise_and(frame, frame, mask=mask)
        rest = cv2.bitwise_and(new_background, new_background, mask=cv2.bitwise_not(mask))
        writer.write(cv2.add(foreground, rest))
        frames += 1
    writer.release()
    return frames / (time.perf_counter() - start)


SUBTRACTORS = ("mog2", "knn", "gsoc", "cnt")


def video_stage_fps(video: Path, background: Path, workdir: Path, subtractor: str) -> float:
    """Loop frames/s that the `video` stage logs for `subtractor` on a clip (no ground truth)."""
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    video_params = {"input": str(video), "background": str(background), "ground_truth": "none"}
    params = merge(params, {"video": {**video_params, "subtractor": subtractor}})
    (workdir / "params.yaml").write_text(yaml.safe_dump(params))
    outputs = ["--out", workdir / "video", "--metrics", workdir / "video.json"]
    outputs += ["--preview", workdir / "video.png", "--params", workdir / "params.yaml"]
    command = [sys.executable, str(REPO / "stages" / "video.py"), *map(str, outputs)]
    _, _, output = run_measured(command, workdir)
    return float(re.search(r"\((\d+) frames/s\)", output).group(1))


def startup_seconds(command: str, cwd: Path, repeats: int = 3) -> float:
    """Best of `repeats` of the stage's command with --help: interpreter and imports only."""
    script = re.search(r"(stages/\S+\.py)", command).group(1)
    env = dvc_env()
    env["PYTHONPATH"] = "src"
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, script, "--help"], cwd=cwd, env=env, check=True, capture_output=True
        )
        times.append(time.perf_counter() - start)
    return min(times)


def pipeline(tmp: Path, workload: str, targets: list[str]) -> None:
    """Time a fresh `dvc repro` of the workload, then each of its stages alone."""
    project = tmp / "project"
    make_project(project, WORKLOADS[workload])
    print(f"workload: {workload}; {os.cpu_count()} CPUs")
    wall, peak, _ = run_measured([sys.executable, "-m", "dvc", "repro", *targets], project)
    print(f"end to end: fresh `dvc repro {' '.join(targets)}`: {wall:.1f} s, peak {peak:.0f} MiB")
    print(f"\n{'stage':<22}{'seconds':>9}{'peak MiB':>10}{'start-up s':>12}")
    total = 0.0
    for stage, command in stage_commands(project, targets):
        seconds, stage_peak, _ = run_measured(command, project, shell=True)
        total += seconds
        startup = startup_seconds(command, project)
        print(f"{stage:<22}{seconds:>9.2f}{stage_peak:>10.0f}{startup:>12.2f}")
    print(f"{'sum of stages':<22}{total:>9.2f}")


def main() -> None:
    args = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    args.add_argument("--workload", choices=sorted(WORKLOADS), default="assignment")
    args.add_argument("--data-only", action="store_true", help="only the four data stages")
    args.add_argument("--video-only", action="store_true", help="only the video loops")
    args.add_argument("--video", type=Path, default=REPO.parent / "shared/video/pedestrians.avi")
    args.add_argument("--background", type=Path, default=REPO.parent / "shared/video/road.jpg")
    args.add_argument("--keep", action="store_true", help="keep the temporary project")
    opts = args.parse_args()
    targets = list(DATA_STAGES) if opts.data_only else []

    tmp = Path(tempfile.mkdtemp(prefix="mnistseg-bench-"))
    try:
        if not opts.video_only:
            pipeline(tmp, opts.workload, targets)
        if opts.data_only:
            return
        if opts.video.is_file() and opts.background.is_file():
            theirs = assignment_video_loop(opts.video, opts.background, tmp / "assignment.mp4")
            print(f"\nvideo on {opts.video.name}: the assignment's loop {theirs:.0f} frames/s")
            for subtractor in SUBTRACTORS:
                loop = video_stage_fps(opts.video, opts.background, tmp, subtractor)
                print(f"  the `video` stage's loop, subtractor {subtractor}: {loop:.0f} frames/s")
        else:
            print(f"\nvideo: {opts.video} or {opts.background} not found; skipped")
    finally:
        if opts.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
