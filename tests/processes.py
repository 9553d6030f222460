"""Servers the tests start for real (llama_cpp.server, qa serve) on 127.0.0.1."""

from __future__ import annotations

import subprocess
from pathlib import Path

from benchmarks.servers import free_port, stop  # noqa: F401 (the tests' helpers too)


def wait_until_up(
    url: str, process: subprocess.Popen, name: str, timeout: float = 120, log: Path | None = None
) -> None:
    """Poll `url` until it answers 200; fail the test if the server exits or never comes up,
    with the tail of the server's `log` when there is one."""
    import time

    import httpx
    import pytest

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} exited with {process.returncode}{_tail(log)}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    pytest.fail(f"{name} did not come up in {timeout} s{_tail(log)}")


def _tail(log: Path | None) -> str:
    return f":\n{log.read_text()[-3000:]}" if log is not None and log.exists() else ""
