"""Sharing one remote cache: push from one clone, pull into another, recompute nothing."""

import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mnistseg.nets.models import MODELS
from scratch import dvc, git, make_project, stages_run, tiny_params

BUCKET = "mnistseg-remote"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_moto(tmp_path: Path, require_auth: bool = False):
    """An S3-compatible moto server on 127.0.0.1; returns (process, endpoint URL)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    if require_auth:
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"  # refuse every key it has not issued
    log = open(tmp_path / f"moto-{port}.log", "w")  # noqa: SIM115 - closed with the process
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, endpoint
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"moto server did not start: {(tmp_path / f'moto-{port}.log').read_text()}")


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    import boto3

    proc, endpoint = start_moto(tmp_path_factory.mktemp("moto"))
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    client.create_bucket(Bucket=BUCKET)
    yield endpoint
    proc.terminate()
    proc.wait(timeout=10)


def use_s3(repo: Path, endpoint: str, key: str = "testing") -> None:
    """Add the S3 remote: its address in the committed config, credentials only in config.local."""
    dvc(repo, "remote", "add", "-f", "s3", f"s3://{BUCKET}/cache")
    dvc(repo, "remote", "modify", "s3", "endpointurl", endpoint)
    dvc(repo, "remote", "modify", "--local", "s3", "access_key_id", key)
    dvc(repo, "remote", "modify", "--local", "s3", "secret_access_key", key)


@pytest.fixture(scope="module")
def clone_a(tiny_mnist, tmp_path_factory, s3_endpoint):
    """Clone A: a commit of the project, then one of its `dvc repro` results; pushed to both."""
    root = tmp_path_factory.mktemp("remote")
    repo = make_project(root / "a", tiny_params(str(tiny_mnist)))  # a single place, not a list
    dvc(repo, "remote", "add", "-d", "shared", str(root / "shared-drive"))
    use_s3(repo, s3_endpoint)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "remotes")
    dvc(repo, "repro")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "results")
    dvc(repo, "push", "--run-cache")
    dvc(repo, "push", "-r", "s3", "--run-cache")
    return repo


def tree_digest(
    repo: Path, folders=("data", "models", "metrics", "plots", "dvclive")
) -> dict[str, str]:
    """md5 of every file under the project's output folders, by relative path."""
    digests = {}
    for folder in folders:
        for path in sorted((repo / folder).rglob("*")):
            if path.is_file():
                digests[str(path.relative_to(repo))] = hashlib.md5(path.read_bytes()).hexdigest()
    return digests


def cache_digest(repo: Path) -> dict[str, str]:
    return {
        str(p.relative_to(repo)): hashlib.md5(p.read_bytes()).hexdigest()
        for p in sorted((repo / ".dvc" / "cache").rglob("*"))
        if p.is_file()
    }


def assert_complete_and_up_to_date(clone: Path, original: Path) -> None:
    status = dvc(clone, "status").stdout
    assert "up to date" in status, status
    assert stages_run(dvc(clone, "repro").stdout) == []
    assert tree_digest(clone) == tree_digest(original)


@pytest.mark.parametrize("remote", ["shared", "s3"])
def test_pull_gives_a_teammate_everything(clone_a, tmp_path, s3_endpoint, remote):
    clone_b = tmp_path / "b"
    git(tmp_path, "clone", "-q", str(clone_a), str(clone_b))
    if remote == "s3":
        use_s3(clone_b, s3_endpoint)  # each teammate keeps credentials in their own config.local
    assert not (clone_b / "models" / "segnet.pt").exists()
    dvc(clone_b, "pull", "-r", remote)
    assert_complete_and_up_to_date(clone_b, clone_a)


@pytest.mark.parametrize("remote", ["shared", "s3"])
def test_run_cache_restores_instead_of_retraining(clone_a, tmp_path, s3_endpoint, remote):
    clone_c = tmp_path / "c"
    git(tmp_path, "clone", "-q", str(clone_a), str(clone_c))
    git(clone_c, "checkout", "-q", "HEAD~1")  # same code and params, but no dvc.lock or outputs
    if remote == "s3":
        use_s3(clone_c, s3_endpoint)
    dvc(clone_c, "remote", "default", "--local", remote)
    assert not (clone_c / "dvc.lock").exists()
    output = dvc(clone_c, "repro", "--pull").stdout
    # Stages whose outputs are all cached come back from the run-cache; the cheap ones that
    # write git-tracked metrics (cache: false, outside the run-cache) run again.
    assert sorted(stages_run(output)) == sorted(
        [*(f"evaluate@{model}" for model in MODELS), "video", "bench_summary"]
    ), output
    assert "Stage 'train@circlenet' is cached - skipping run" in output
    restored = ("data", "models", "dvclive")
    assert tree_digest(clone_c, restored) == tree_digest(clone_a, restored)
    for model in MODELS:
        metrics = f"metrics/{model}.json"
        assert (clone_c / metrics).read_text() == (clone_a / metrics).read_text()


def test_committed_config_holds_no_credentials(clone_a):
    committed = (clone_a / ".dvc" / "config").read_text()
    assert "secret_access_key" not in committed and "access_key_id" not in committed
    assert "secret_access_key" in (clone_a / ".dvc" / "config.local").read_text()
    tracked = git(clone_a, "ls-files").stdout.split()
    assert ".dvc/config.local" not in tracked


@pytest.mark.parametrize("failure", ["unreachable", "refused"])
def test_failed_push_loses_nothing(clone_a, tmp_path, s3_endpoint, failure):
    if failure == "unreachable":
        endpoint, server = f"http://127.0.0.1:{free_port()}", None
    else:
        server, endpoint = start_moto(tmp_path, require_auth=True)
    try:
        use_s3(clone_a, endpoint, key="not-a-key")
        workspace, cache = tree_digest(clone_a), cache_digest(clone_a)
        pushed = dvc(clone_a, "push", "-r", "s3", check=False)
        assert pushed.returncode != 0
        said = pushed.stderr + pushed.stdout
        expected = "Could not connect" if failure == "unreachable" else "Forbidden"
        assert "ERROR" in said and expected in said, said
        assert tree_digest(clone_a) == workspace
        assert cache_digest(clone_a) == cache
        assert "up to date" in dvc(clone_a, "status").stdout
    finally:
        use_s3(clone_a, s3_endpoint)
        if server:
            server.terminate()
            server.wait(timeout=10)
