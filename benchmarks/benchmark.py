"""Time the pipeline as a user runs it, in a throwaway copy of this project.

    python benchmarks/benchmark.py                      # the assignment's workload
    python benchmarks/benchmark.py --workload default   # params.yaml as committed
    python benchmarks/benchmark.py --data-only          # the four data stages alone
    python benchmarks/benchmark.py --video-only         # the video loops against the assignment's
    python benchmarks/benchmark.py --baseline HEAD~3    # the same, before and after, side by side
    python benchmarks/benchmark.py --baseline HEAD~3 --repeats 3  # three end-to-end rounds
    python benchmarks/benchmark.py --notebook           # the notebook's own code, side by side
    python benchmarks/benchmark.py --adam --repeats 3   # Adam's fused kernel or not, on the CPU
    python benchmarks/benchmark.py --speed --repeats 3  # frames/s per subtractor and frame size

Prints the end-to-end wall time of a fresh `dvc repro` with its peak memory, then one row per
stage: wall seconds and peak memory of that stage's process run alone, and its start-up: the
interpreter and every import the stage makes (timed as `python stages/<stage>.py --help`),
and for a torch stage, everything before its work begins (imports, data, device, network,
optimizer, dvclive: until its `ready` or `... on <device>` line). Then each torch stage's
start-up part by part: its slowest imports, and each line of its log until its first epoch
ends, timed from outside the process as it comes. Then the frames per second of the
assignment's background-replacement loop and of the `video` stage's loop with each
subtractor, on the same real clip. Peak memory is read where the platform reports it (POSIX).

With --baseline REV the pipeline is also built from that git revision, and each stage runs
once per revision in turn, so both columns see the same machine load: these machines are noisy.
With --repeats N each revision's fresh `dvc repro` runs N times, the revisions in turn, each
time in a new copy of the project; the median is printed.

With --notebook, the notebook's own code (../shared/baseline/run_all.sh: Q1-Q4) and a fresh
`dvc repro` of the same work (every stage up to the three evaluations, the assignment's
workload), in turn: both times, their scores and the ratio.
With --adam, one epoch of each model on this checkout's datasets as `dvc repro` made them
(`data/`), with its params, in this process on the CPU, with torch's Adam fused (the
pipeline's choice) and not, in turn: the median seconds of each and what the fused kernel
saves.

Nothing here asserts: the figures are for the README and for comparing commits on one machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))  # this checkout's library, whatever is installed

from mnistseg.nets.models import MODELS  # noqa: E402
from scratch import PROJECT_FILES, dvc_env, make_project, merge  # noqa: E402  (beside this file)

DATA_STAGES = ("download", "otsu", "circles", "composites")
# The assignment's own workload: 5 epochs, batch sizes 64/64/4 (params.yaml), and the notebook's
# 100 composites split 80/20 into training and test.
WORKLOADS = {
    "assignment": {"epochs": 5, "composites": {"train": 80, "test": 20}},
    "default": {},
}


@dataclass
class Measured:
    """A command's wall seconds, its peak resident memory (MiB, with its children; None where
    the platform cannot tell) and its output lines with the seconds since it started."""

    wall: float
    peak: float | None
    lines: list[tuple[float, str]]

    @property
    def output(self) -> str:
        return "".join(line for _, line in self.lines)

    def peak_text(self) -> str:
        return "peak n/a" if self.peak is None else f"peak {self.peak:.0f} MiB"


def run_measured(
    args: list[str] | str, cwd: Path, shell: bool = False, env: dict[str, str] | None = None
) -> Measured:
    """Run a command, timing each line of its output as it comes (from outside the process)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args,
        cwd=cwd,
        env={**dvc_env(), **(env or {})},
        shell=shell,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = [(time.perf_counter() - start, line) for line in proc.stdout]
    peak = None
    if hasattr(os, "wait4"):  # POSIX: the child's resource usage, whose ru_maxrss covers the
        _, status, usage = os.wait4(proc.pid, 0)  # largest of its waited-for descendants too
        proc.returncode = os.waitstatus_to_exitcode(status)
        # kilobytes on Linux, bytes on macOS
        peak = usage.ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1 << 10)
    else:
        proc.wait()
    measured = Measured(time.perf_counter() - start, peak, lines)
    if proc.returncode:
        raise SystemExit(f"{args} failed ({proc.returncode}):\n{measured.output}")
    return measured


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
# --speed: every subtractor (BGSLibrary's and the vote need pybgs, `make bgslibrary`)
SPEED_SUBTRACTORS = (*SUBTRACTORS, "subsense", "pawcs", "lobster", "vibe", "vote")


def video_stage_fps(video: Path, background: Path, workdir: Path, subtractor: str) -> float:
    """Loop frames/s that the `video` stage logs for `subtractor` on a clip (no ground truth)."""
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    video_params = {"input": str(video), "background": str(background), "ground_truth": "none"}
    params = merge(params, {"video": {**video_params, "subtractor": subtractor}})
    (workdir / "params.yaml").write_text(yaml.safe_dump(params))
    outputs = ["--out", workdir / "video", "--metrics", workdir / "video.json"]
    outputs += ["--preview", workdir / "video.png", "--params", workdir / "params.yaml"]
    command = [sys.executable, str(REPO / "stages" / "video.py"), *map(str, outputs)]
    output = run_measured(command, workdir).output
    return float(re.search(r"\((\d+) frames/s\)", output).group(1))


def startup_seconds(command: str, cwd: Path, repeats: int = 3) -> float:
    """Best of `repeats` of the stage's command with --help: interpreter and imports only."""
    script = re.search(r"(stages/\S+\.py)", command).group(1)
    env = {**dvc_env(), "PYTHONPATH": "src"}  # as a revision before stages/checkout_src.py ran
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, script, "--help"], cwd=cwd, env=env, check=True, capture_output=True
        )
        times.append(time.perf_counter() - start)
    return min(times)


def slowest_imports(command: str, cwd: Path, count: int = 4) -> list[tuple[str, float]]:
    """The top-level imports of a stage that take longest (`python -X importtime`), seconds."""
    script = re.search(r"(stages/\S+\.py)", command).group(1)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", script, "--help"],
        cwd=cwd,
        env={**dvc_env(), "PYTHONPATH": "src"},
        check=True,
        capture_output=True,
        text=True,
    )
    # "import time: self [us] | cumulative | imported package"; top level: no indent
    found = re.findall(r"^import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", done.stderr, re.MULTILINE)
    top = sorted(((name, int(us) / 1e6) for us, name in found), key=lambda item: -item[1])
    return top[:count]


def ready_seconds(measured: Measured) -> float | None:
    """When a torch stage was ready to work (its `ready` or `on <device>` line), or None."""
    for seconds, line in measured.lines:
        if re.search(r": ready \(|items on \w+$", line.strip()):
            return seconds
    return None


def startup_parts(stage: str, command: str, project: Path, measured: Measured) -> None:
    """Where a torch stage's start-up goes: imports, then each line it logs before its first
    epoch ends (or before it ends), timed from outside."""
    imports = startup_seconds(command, project)
    slowest = ", ".join(
        f"{name} {seconds:.2f}" for name, seconds in slowest_imports(command, project)
    )
    print(f"  {stage}: interpreter and imports {imports:.2f} s (slowest: {slowest})")
    for seconds, line in measured.lines:
        print(f"    {seconds:6.2f} s  {line.rstrip()}")
        if line.startswith("epoch 1/"):
            break


def export_revision(revision: str, folder: Path) -> Path:
    """The project files as they are at a git revision of this checkout, under `folder`."""
    folder.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision, *PROJECT_FILES, "params.yaml"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    if archive.returncode:
        raise SystemExit(f"--baseline {revision}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def pipeline(
    tmp: Path, workload: str, targets: list[str], baseline: str | None, repeats: int
) -> None:
    """Time a fresh `dvc repro` of the workload (`repeats` times), then each stage alone.

    With a baseline revision, the same for its project, in turn with this one: each round of
    end-to-end runs and each stage.
    """
    trees = {"this checkout": REPO}
    if baseline:
        trees = {baseline: export_revision(baseline, tmp / "baseline-src"), **trees}
    projects = {
        name: make_project(tmp / f"project-{i}", WORKLOADS[workload], tree)
        for i, (name, tree) in enumerate(trees.items())
    }
    print(f"workload: {workload}; {os.cpu_count()} CPUs")
    repro = [sys.executable, "-m", "dvc", "repro", *targets]
    walls: dict[str, list[float]] = {name: [] for name in projects}
    for round_number in range(repeats):
        for i, (name, project) in enumerate(projects.items()):
            # Each round a new copy: a fresh repro has no cache and no run-cache to restore from.
            # The first round's copies stay, with their outputs, for the stage-by-stage runs.
            if round_number:
                project = make_project(tmp / f"again-{i}", WORKLOADS[workload], trees[name])
            measured = run_measured(repro, project)
            walls[name].append(measured.wall)
            print(
                f"end to end ({name}): fresh `dvc repro {' '.join(targets)}`: "
                f"{measured.wall:.1f} s, {measured.peak_text()}",
                flush=True,
            )
            if round_number:
                shutil.rmtree(project)
    if repeats > 1:
        for name, runs in walls.items():
            print(f"end to end ({name}): median of {repeats} runs {statistics.median(runs):.1f} s")
    header = f"{'stage':<22}{'seconds':>9}{'peak MiB':>10}{'imports s':>11}{'ready s':>9}"
    print()
    if baseline:
        header += "  revision"
    print(header)
    totals = dict.fromkeys(projects, 0.0)
    commands = {name: dict(stage_commands(project, targets)) for name, project in projects.items()}
    torch_stages: list[tuple[str, str, Path, Measured]] = []
    for stage in commands["this checkout"]:
        for name, project in projects.items():
            if stage not in commands[name]:
                continue  # a stage this revision does not have
            command = commands[name][stage]
            measured = run_measured(command, project, shell=True)
            totals[name] += measured.wall
            imports = startup_seconds(command, project)
            ready = ready_seconds(measured)
            peak = "n/a" if measured.peak is None else f"{measured.peak:.0f}"
            row = f"{stage:<22}{measured.wall:>9.2f}{peak:>10}{imports:>11.2f}"
            row += f"{ready:>9.2f}" if ready is not None else f"{'':>9}"
            print(row + (f"  {name}" if baseline else ""), flush=True)
            if ready is not None and name == "this checkout":
                torch_stages.append((stage, command, project, measured))
    for name, total in totals.items():
        print(f"{'sum of stages':<22}{total:>9.2f}" + (f"{'':>29}  {name}" if baseline else ""))
    if torch_stages:
        print("\nstart-up of the torch stages, part by part (seconds since the process started):")
        for stage, command, project, measured in torch_stages:
            startup_parts(stage, command, project, measured)


def notebook_side_by_side(tmp: Path, baseline: Path, mnist: Path, repeats: int) -> None:
    """The notebook's Q1-Q4 and the pipeline's same work, in turn: times, scores and ratio."""
    run_all = baseline / "run_all.sh"
    if not run_all.is_file() or not mnist.is_dir():
        raise SystemExit(f"--notebook: {run_all} or {mnist} not found")
    targets = [f"evaluate@{model}" for model in MODELS]
    times: dict[str, list[float]] = {"notebook": [], "pipeline": []}
    for round_number in range(repeats):
        work = tmp / f"notebook-{round_number}"
        measured = run_measured(
            ["bash", str(run_all), str(work)], tmp, env={"MNIST_DIR": str(mnist.resolve())}
        )
        times["notebook"].append(measured.wall)
        scores = re.findall(r"^(.*(?:IoU|Dice).*?: [\d.]+.*)$", measured.output, re.MULTILINE)
        print(f"notebook (round {round_number + 1}): {measured.wall:.1f} s, {measured.peak_text()}")
        for line in scores:
            print(f"  {line.strip()}")
        shutil.rmtree(work)
        project = make_project(tmp / f"pipeline-{round_number}", WORKLOADS["assignment"])
        measured = run_measured([sys.executable, "-m", "dvc", "repro", *targets], project)
        times["pipeline"].append(measured.wall)
        print(f"pipeline (round {round_number + 1}): {measured.wall:.1f} s, {measured.peak_text()}")
        for model, cls in MODELS.items():
            metrics = json.loads((project / "metrics" / f"{model}.json").read_text())[model]
            shown = ", ".join(f"{name} {metrics[name]:.4f}" for name in cls.headline)
            print(f"  {model}: {shown}")
        shutil.rmtree(project)
    notebook, ours = (statistics.median(times[name]) for name in ("notebook", "pipeline"))
    print(
        f"\nnotebook {notebook:.1f} s, pipeline {ours:.1f} s (median of {repeats}): "
        f"the pipeline is {notebook / ours:.2f}x as fast"
    )


def adam_table(repeats: int) -> None:
    """One epoch of each model with Adam's fused kernel and without, in turn, on the CPU."""
    import torch

    import mnistseg.nets.training as training
    from mnistseg.data.arrays import model_split
    from mnistseg.nets.device import placement
    from mnistseg.params import load_section

    place, datasets = (
        placement(torch.device("cpu")),
        yaml.safe_load((REPO / "dvc.yaml").read_text()),
    )
    print(f"Adam fused vs not: one epoch per model, median of {repeats}, {os.cpu_count()} CPUs")
    for name, model in MODELS.items():
        params = load_section(model, name, REPO / "params.yaml")
        folder = (
            REPO / next(v for v in datasets["vars"] if "models" in v)["models"][name]["dataset"]
        )
        data = model_split(folder, "train", params.arrays, *params.sees())
        seconds: dict[bool, list[float]] = {True: [], False: []}
        for round_ in range(repeats):  # each round starting with the other: the first is slower
            for fused in (True, False)[:: 1 if round_ % 2 == 0 else -1]:
                training.fused_adam = lambda device, fused=fused: fused
                training.set_seeds(params.seed)
                run = training.prepare(data, params, place)
                start = time.perf_counter()
                next(training.fit(run, epochs=1))
                seconds[fused].append(time.perf_counter() - start)
        with_it, without = (statistics.median(seconds[f]) for f in (True, False))
        print(f"  {name}: fused {with_it:.2f} s, not fused {without:.2f} s "
              f"({100 * (without - with_it) / without:+.1f}%)")  # fmt: skip


SPEED_WARMUP = 10  # frames each subtractor sees before the clock starts (models filling)


def parse_size(text: str) -> tuple[int, int] | None:
    """`320x240` as (320, 240); `native` as None (the frames as they are)."""
    if text == "native":
        return None
    match = re.fullmatch(r"(\d+)x(\d+)", text)
    if not match:
        raise SystemExit(f"--sizes: {text!r}: expected WIDTHxHEIGHT or native")
    return int(match.group(1)), int(match.group(2))


def changed_params(settings: list[str]) -> dict:
    """This checkout's params.yaml with `key=value` changes (the value read as YAML)."""
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    for setting in settings:
        key, sep, value = setting.partition("=")
        if not sep:
            raise SystemExit(f"--set: {setting!r}: expected key=value")
        *parents, last = key.split(".")
        block = params
        for part in parents:
            block = block[part]
        block[last] = yaml.safe_load(value)
    return params


def subtractor_speeds(
    folder: Path, sizes: list[str], subtractors: list[str], count: int, repeats: int,
    settings: list[str],
) -> None:  # fmt: skip
    """Frames/s of each subtractor's masks at each frame size (see --speed)."""
    from mnistseg.errors import ParamError
    from mnistseg.params import validate_section
    from mnistseg.video.config import VideoParams
    from mnistseg.video.frames import image_folder
    from mnistseg.video.masks import ForegroundMasker

    video = validate_section(VideoParams, changed_params(settings)["video"], "video", "--set")
    files = list(image_folder(folder, "--frames").values())[: count + SPEED_WARMUP]
    native = [cv2.imread(str(file)) for file in files]
    height, width = native[0].shape[:2]
    clips = {}
    for text in sizes:
        size = parse_size(text) or (width, height)
        clips[f"{size[0]}x{size[1]}"] = [
            frame
            if size == (width, height)
            else cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
            for frame in native
        ]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"frames/s of the masks (method and clean-up) on {len(files) - SPEED_WARMUP} frames "
          f"of {folder} after {SPEED_WARMUP}, median of {repeats} rounds; {os.cpu_count()} CPUs, "
          f"load average {load} before")  # fmt: skip
    if settings:
        print(f"with {', '.join(settings)}")
    rates: dict[tuple[str, str], list[float]] = {}
    failed: dict[str, str] = {}
    for _ in range(repeats):
        for size, frames in clips.items():
            for name in subtractors:
                if name in failed:
                    continue
                try:
                    masker = ForegroundMasker(name, getattr(video, name), video.cleanup)
                except ParamError as exc:
                    failed[name] = str(exc)
                    continue
                for frame in frames[:SPEED_WARMUP]:
                    masker(frame)
                start = time.perf_counter()
                for frame in frames[SPEED_WARMUP:]:
                    masker(frame)
                seconds = time.perf_counter() - start
                rates.setdefault((name, size), []).append((len(frames) - SPEED_WARMUP) / seconds)
                del masker  # a vote's processes end here
    print("\n| subtractor | " + " | ".join(clips) + " |")
    print("| --- |" + " --- |" * len(clips))
    for name in subtractors:
        if name in failed:
            print(f"| {name} | " + " | ".join("n/a" for _ in clips) + f" |  ({failed[name]})")
            continue
        cells = [f"{statistics.median(rates[name, size]):.1f}" for size in clips]
        print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    args = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    args.add_argument("--workload", choices=sorted(WORKLOADS), default="assignment")
    args.add_argument("--data-only", action="store_true", help="only the four data stages")
    args.add_argument("--video-only", action="store_true", help="only the video loops")
    args.add_argument("--video", type=Path, default=REPO.parent / "shared/video/pedestrians.avi")
    args.add_argument("--background", type=Path, default=REPO.parent / "shared/video/road.jpg")
    args.add_argument("--baseline", metavar="REV", help="also time this git revision, in turn")
    args.add_argument(
        "--repeats", type=int, default=1, help="end-to-end runs per revision (median shown)"
    )
    args.add_argument("--keep", action="store_true", help="keep the temporary project")
    args.add_argument(
        "--notebook", action="store_true", help="the notebook's own code and the pipeline"
    )
    args.add_argument("--adam", action="store_true", help="Adam's fused kernel vs not, per model")
    args.add_argument("--baseline-code", type=Path, default=REPO.parent / "shared/baseline")
    args.add_argument("--mnist", type=Path, default=REPO.parent / "shared/mnist")
    args.add_argument("--speed", action="store_true", help="frames/s per subtractor and frame size")
    args.add_argument(
        "--frames", type=Path, default=REPO.parent / "shared/cdnet/busStation/input",
        help="--speed: a folder of numbered frames (a CDnet sequence's input/)",
    )  # fmt: skip
    args.add_argument(
        "--sizes", nargs="+", default=["320x240", "native"], help="--speed: WIDTHxHEIGHT or native"
    )
    args.add_argument(
        "--subtractors", nargs="+", default=list(SPEED_SUBTRACTORS), help="--speed: which ones"
    )
    args.add_argument("--count", type=int, default=200, help="--speed: frames timed")
    args.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE",
        help="--speed: a params.yaml change, such as video.vote.max_side=0",
    )  # fmt: skip
    opts = args.parse_args()
    if opts.repeats < 1:
        args.error(f"--repeats must be at least 1, got {opts.repeats}")
    targets = list(DATA_STAGES) if opts.data_only else []
    if opts.speed:
        subtractor_speeds(
            opts.frames, opts.sizes, opts.subtractors, opts.count, opts.repeats, opts.set
        )
        return

    tmp = Path(tempfile.mkdtemp(prefix="mnistseg-bench-"))
    try:
        if opts.notebook:
            notebook_side_by_side(tmp, opts.baseline_code, opts.mnist, opts.repeats)
            return
        if opts.adam:
            adam_table(opts.repeats)
            return
        if not opts.video_only:
            pipeline(tmp, opts.workload, targets, opts.baseline, opts.repeats)
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
