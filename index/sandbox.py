"""Parse untrusted files in a child process with memory, CPU and wall-clock limits, so one
hostile file (a compression bomb, a parser stuck in a loop) costs one error line, not the machine.

PDF, DOCX and HTML go to a child: their parsers walk structures the file controls. Plain text,
Markdown and JSONL are decoded in-process: that work is linear and size-capped in the loaders,
and a process per small text file would be most of the cost of indexing it.

One worker process (`python -m index.sandbox`, started on first use, parsers imported once)
forks a fresh child per file, which sets its own rlimits before parsing. The worker is
single-threaded, so forking it is safe, unlike forking the indexer with its torch and Chroma
threads; and being started by path, it never re-runs the caller's main module as
multiprocessing's spawn/forkserver would.
"""

from __future__ import annotations

import atexit
import os
import pickle
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from index.documents import LoadError, RawDocument
from index.loaders import HTML_TYPES, load_file

ISOLATED_TYPES = HTML_TYPES | {".pdf", ".docx"}

Item = RawDocument | LoadError
Loader = Callable[[Path, bytes], Iterable[Item]]


@dataclass(frozen=True)
class ParseLimits:
    memory_mb: int = 2048  # address space of the parsing process (its baseline is ~200 MB)
    cpu_seconds: int = 60
    wall_seconds: float = 120.0  # also catches a child blocked without using CPU


DEFAULT_LIMITS = ParseLimits()


def load_sandboxed(
    path: Path, data: bytes, limits: ParseLimits | None = None, loader: Loader = load_file
) -> Iterator[Item]:
    """`load_file`, with complex formats parsed in a limited child process. Raises LoadError
    for a whole-file problem, including a limit hit. A test `loader` must be importable by name."""
    if path.suffix.lower() not in ISOLATED_TYPES:
        yield from loader(path, data)
        return
    status, payload = _WORKER.parse((path, data, limits or DEFAULT_LIMITS, loader))
    if status == "error":
        raise LoadError(payload)
    yield from payload


class _Worker:
    """The parent's handle on the worker process; restarted if it dies or stops answering."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._to_worker: Connection | None = None
        self._from_worker: Connection | None = None

    def parse(self, request: tuple) -> tuple[str, object]:
        limits: ParseLimits = request[2]
        with self._lock:
            try:
                self._ensure_running()
                self._to_worker.send(request)
                # The worker enforces the wall-clock limit itself; this margin is for a
                # worker that is itself stuck.
                if self._from_worker.poll(limits.wall_seconds + 30):
                    return self._from_worker.recv()
            except (OSError, EOFError, pickle.PicklingError):
                pass
            self.stop()
            return "error", "the parsing process stopped unexpectedly"

    def _ensure_running(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        self.stop()
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, *sys.path]))}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "index.sandbox", str(request_r), str(reply_w)],
            pass_fds=(request_r, reply_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # parser chatter must not reach the user's terminal
            stderr=subprocess.DEVNULL,
            env=env,
        )
        os.close(request_r)
        os.close(reply_w)
        self._to_worker = Connection(request_w, readable=False)
        self._from_worker = Connection(reply_r, writable=False)

    def stop(self) -> None:
        for connection in (self._to_worker, self._from_worker):
            if connection is not None:
                connection.close()
        self._to_worker = self._from_worker = None
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None


_WORKER = _Worker()
atexit.register(_WORKER.stop)


def _serve(requests: Connection, replies: Connection) -> None:
    """The worker's loop: one forked child per request, until the parent goes away."""
    while True:
        try:
            path, data, limits, loader = requests.recv()
        except EOFError:
            return
        replies.send(_fork_and_parse(path, data, limits, loader))


def _fork_and_parse(path: Path, data: bytes, limits: ParseLimits, loader: Loader):
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: limit, parse, reply, exit without running any cleanup
        os.close(read_fd)
        writer = Connection(write_fd, readable=False)
        try:
            result = _parse_limited(path, data, limits, loader)
            try:
                writer.send(result)
            except MemoryError:
                writer.send(("error", _memory_message(limits)))
        finally:
            os._exit(0)
    os.close(write_fd)
    reader = Connection(read_fd, writable=False)
    try:
        if not reader.poll(limits.wall_seconds):
            os.kill(pid, signal.SIGKILL)
            return "error", f"parsing took longer than {limits.wall_seconds:g} s"
        try:
            return reader.recv()
        except EOFError:
            _, status = os.waitpid(pid, 0)
            pid = 0
            return "error", _death_reason(status, limits)
    finally:
        reader.close()
        if pid:
            os.waitpid(pid, 0)


def _parse_limited(path: Path, data: bytes, limits: ParseLimits, loader: Loader):
    memory = limits.memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    try:
        return "ok", list(loader(path, data))
    except LoadError as exc:
        return "error", str(exc)
    except MemoryError:
        return "error", _memory_message(limits)
    except RecursionError:
        return "error", "file is nested too deeply to parse"
    except Exception as exc:  # a parser bug on a hostile file is still just a bad file
        return "error", f"cannot parse file ({type(exc).__name__})"


def _memory_message(limits: ParseLimits) -> str:
    return f"file too large to parse within the memory limit ({limits.memory_mb} MB)"


def _death_reason(status: int, limits: ParseLimits) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number in (signal.SIGXCPU, signal.SIGKILL):
            return f"parsing used more than {limits.cpu_seconds} s of CPU time"
        return f"the parser crashed ({signal.Signals(number).name}; out of memory?)"
    return f"the parser exited unexpectedly (exit code {os.WEXITSTATUS(status)})"


def _worker_main(argv: list[str]) -> None:
    import docx  # noqa: F401  the parsers, imported once for every child
    import pypdf  # noqa: F401
    import trafilatura  # noqa: F401

    requests = Connection(int(argv[0]), writable=False)
    replies = Connection(int(argv[1]), readable=False)
    _serve(requests, replies)


if __name__ == "__main__":
    _worker_main(sys.argv[1:])
