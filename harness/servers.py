"""Start and stop real servers (qa serve, chroma run, llama_cpp.server) on 127.0.0.1, for the
tests and the benchmarks."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(
    command: list[str],
    ready_url: str,
    log: Path,
    env: dict | None = None,
    timeout: float = 300,
    cwd: Path | None = None,
) -> subprocess.Popen:
    """Run `command`, logging to `log`, and wait until `ready_url` answers 200. A server that
    exits or never comes up is stopped and raises RuntimeError with the tail of its log."""
    with open(log, "w") as out:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command[0]} exited with {process.returncode}{_tail(log)}")
        try:
            if httpx.get(ready_url, timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    stop(process)
    raise RuntimeError(f"{ready_url} did not come up in {timeout} s{_tail(log)}")


def _tail(log: Path) -> str:
    return f":\n{log.read_text()[-3000:]}" if log.exists() else ""


def start_chroma(path: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`chroma run` storing at `path` on a free 127.0.0.1 port: (process, its URL)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    chroma = Path(sys.executable).parent / "chroma"  # installed with chromadb, in this venv
    command = [str(chroma), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)]
    return start(command, f"{url}/api/v2/heartbeat", log), url


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def peak_rss_mb(process: subprocess.Popen) -> float | None:
    """The process's peak resident memory so far (Linux), in MB."""
    try:
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None
