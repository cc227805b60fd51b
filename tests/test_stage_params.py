"""Every stage declares in dvc.yaml exactly the params its code reads: DVC reruns it when, and
only when, they change. Each stage of a tiny project runs in this process, in the order `dvc
repro` would run it, with the params loader recording what it is asked for."""

import shlex

import pytest
from dvc.dependency.param import ParamsDependency
from dvc.repo import Repo
from networkx import topological_sort

import mnistseg.params
from conftest import cdnet_sequence, load_stage
from mnistseg.video.config import VideoParams
from scratch import committed_section, make_project, tiny_params

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def project(tiny_mnist, tmp_path_factory):
    root = tmp_path_factory.mktemp("stage-params")
    square = cdnet_sequence(root / "square")
    bench = {
        "sequences": {"square": {"folder": str(square), "category": "baseline"}},
        "subtractors": ["mog2", "cnt", "vote"],
    }
    tiny = tiny_params([str(tiny_mnist)])
    # The vote's stage reads its block alone, whatever its members: two of OpenCV's here.
    committed = committed_section(VideoParams, "video")
    vote = committed.vote.model_dump(exclude_none=True)
    vote["members"] = {name: getattr(committed, name).model_dump() for name in ("mog2", "cnt")}
    vote["shadows"] = {**vote["shadows"], "background": "mog2"}
    video = {**tiny["video"], "vote": {**vote, "votes": 1}}
    return make_project(root / "project", {**tiny, "video": video, "bench": bench})


def stages_in_order(root) -> list[tuple[str, str, set[str]]]:
    """(name, command, params) of each stage as DVC resolves dvc.yaml, each after the stages
    it depends on."""
    with Repo(str(root)) as repo:
        graph = repo.index.graph  # an edge goes from a stage to one it depends on
        return [
            (
                stage.name,
                stage.cmd,
                {
                    key
                    for dep in stage.deps
                    if isinstance(dep, ParamsDependency)
                    for key in (dep.params or [])
                },
            )
            for stage in reversed(list(topological_sort(graph)))
        ]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # DVC's own, about its trie
def test_each_stage_reads_exactly_the_params_it_declares(project, monkeypatch):
    stages = stages_in_order(project)
    names = {name for name, _, _ in stages}
    assert {"bench@square-mog2", "bench@square-vote", "sequence@square", "video"} <= names
    monkeypatch.chdir(project)
    real = mnistseg.params.load_section
    for name, command, expected in stages:
        read: set[str] = set()

        def recording(cls, section, path=mnistseg.params.PARAMS_FILE, read=read):
            read.update(cls.model_fields if section is None else [section])
            return real(cls, section, path)

        words = shlex.split(command)
        stage = load_stage(words[1].removeprefix("stages/").removesuffix(".py"))
        monkeypatch.setattr(stage, "load_section", recording, raising=False)
        stage.main(words[2:])
        assert read == expected, name
