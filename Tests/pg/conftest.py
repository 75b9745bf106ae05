"""Fixtures: a throwaway PostgreSQL cluster (.ci/postgres.sh), a fresh database per test, and
`passkeys serve` processes on it, started on free loopback ports and stopped by PID."""

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("PASSKEYS_BIN", str(ROOT / ".build/debug/passkeys"))
SCRIPT = ROOT / ".ci/postgres.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self):
        out = subprocess.run(["bash", str(SCRIPT), "start"], check=True, capture_output=True, text=True).stdout
        values = dict(line.removeprefix("export ").split("=", 1) for line in out.splitlines() if line.startswith("export "))
        self.dir = values["PASSKEYS_PG_DIR"]
        self.url = values["PASSKEYS_TEST_POSTGRES_URL"]

    def halt(self):
        subprocess.run(["bash", str(SCRIPT), "halt", self.dir], check=True, capture_output=True)

    def resume(self):
        subprocess.run(["bash", str(SCRIPT), "resume", self.dir], check=True, capture_output=True)

    def stop(self):
        subprocess.run(["bash", str(SCRIPT), "stop", self.dir], check=False, capture_output=True)

    def create_database(self) -> str:
        name = "pg_test_" + secrets.token_hex(6)
        subprocess.run(["psql", self.url, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
        return self.url.rsplit("/", 1)[0] + "/" + name

    def query(self, url: str, sql: str) -> str:
        return subprocess.run(["psql", url, "-Atq", "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


class Server:
    """One `passkeys serve` process."""

    def __init__(self, database: str, port: int, origins: list[str], log: Path, rate_limit: int = 0):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        args = [BIN, "serve", "--host", "127.0.0.1", "--port", str(port), "--rp-id", "localhost",
                "--database", database, "--database-pool-size", "4", "--rate-limit", str(rate_limit),
                "--log-level", "info"]
        if rate_limit:
            # The same allowance for ceremonies begun per client address (options requests).
            args += ["--address-ceremony-limit", str(rate_limit)]
        for origin in origins:
            args += ["--origin", origin]
        self.process = subprocess.Popen(args, stdout=open(log, "wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def health(self) -> int:
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def wait_healthy(self, seconds: float = 30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if self.health() == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server not healthy after {seconds} s:\n{self.log.read_text()}")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="session")
def cluster():
    if not Path(BIN).exists():
        pytest.fail(f"no server binary at {BIN}: swift build --product passkeys")
    started = Cluster()
    yield started
    started.stop()


@pytest.fixture
def database(cluster):
    return cluster.create_database()


@pytest.fixture
def start_servers(database, tmp_path):
    """start_servers(n, rate_limit=0) -> n healthy servers on one database, each allowing every
    server's origin (http://localhost:PORT)."""
    started: list[Server] = []

    def start(count: int = 2, rate_limit: int = 0, wait: bool = True) -> list[Server]:
        ports = [free_port() for _ in range(count)]
        origins = [f"http://localhost:{port}" for port in ports]
        servers = [Server(database, port, origins, tmp_path / f"server-{port}.log", rate_limit) for port in ports]
        started.extend(servers)
        if wait:
            for server in servers:
                server.wait_healthy()
        return servers

    yield start
    for server in started:
        server.stop()
