"""Start and stop real servers (qa serve, chroma run, llama_cpp.server) on 127.0.0.1, for the
tests and the benchmarks."""

from __future__ import annotations

import os
import signal
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
    own_session: bool = False,
) -> subprocess.Popen:
    """Run `command`, logging to `log`, and wait until `ready_url` answers 200. A server that
    exits or never comes up is stopped and raises RuntimeError with the tail of its log.
    `own_session`: in a process group of its own (its pid), for `stop_group`."""
    with open(log, "w") as out:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=own_session,
        )
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


def stop_group(process: subprocess.Popen) -> None:
    """SIGKILL whatever is left of the process group of a server started with `own_session`:
    processes it started that outlived it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def peak_rss_mb(process: subprocess.Popen) -> float | None:
    """The process's peak resident memory so far (Linux), in MB."""
    return _status_mb(process, "VmHWM:")


def rss_mb(process: subprocess.Popen) -> float | None:
    """The process's resident memory now (Linux), in MB."""
    return _status_mb(process, "VmRSS:")


def tree_pss_mb(process: subprocess.Popen) -> float | None:
    """The proportional memory (PSS, Linux) of the process and every process it started, in MB:
    pages a forked worker shares with its parent count once, split between them."""
    pids, total = [process.pid], 0
    while pids:
        pid = pids.pop()
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{pid}/task").iterdir():
                pids.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:  # gone meanwhile
            if pid == process.pid:
                return None
    return total / 1024


def _status_mb(process: subprocess.Popen, field: str) -> float | None:
    try:
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def cpu_seconds(process: subprocess.Popen) -> float | None:
    """User + system CPU time the process has used so far (Linux), in seconds."""
    try:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PostgresServer:
    """A throwaway PostgreSQL server (`initdb` + `pg_ctl`) in a temporary directory on a free
    127.0.0.1 port, with one password-protected user. `url` is a postgresql:// URL."""

    def __init__(self, url: str, directory: Path, run_as: list[str], bin_dir: Path):
        self.url = url
        self.directory = directory
        self.log = directory / "postgres.log"
        self._run_as = run_as
        self._bin = bin_dir

    def stop(self) -> None:
        import shutil

        pg_ctl = [*self._run_as, str(self._bin / "pg_ctl")]
        subprocess.run(
            [*pg_ctl, "stop", "-D", str(self.directory / "data"), "-m", "fast", "-w"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def postgres_bin_dir() -> Path | None:
    """Where Debian's `postgresql` package put initdb and pg_ctl (the newest version)."""
    import shutil

    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[-3])
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def start_postgres() -> PostgresServer:
    """initdb + pg_ctl start in a fresh directory under the system temp dir. initdb refuses to
    run as root, so as root the server runs as the `postgres` user (or `nobody`), which owns the
    directory."""
    import os
    import pwd
    import secrets
    import tempfile

    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed: `make test` installs Debian's postgresql")
    directory = Path(tempfile.mkdtemp(prefix="qa-postgres-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        names = [u.pw_name for u in pwd.getpwall()]
        user = "postgres" if "postgres" in names else "nobody"
        entry = pwd.getpwnam(user)
        os.chown(directory, entry.pw_uid, entry.pw_gid)
        run_as = ["runuser", "-u", user, "--"]
    password = secrets.token_hex(16)
    # Written by the server's user, so it may read it.
    subprocess.run(
        [*run_as, "sh", "-c", f"umask 077; printf %s {password} > {directory}/pw"], check=True
    )
    initdb = [str(bin_dir / "initdb"), "-D", str(directory / "data"), "-U", "qa"]
    initdb += ["--auth=scram-sha-256", f"--pwfile={directory}/pw", "-E", "UTF8", "--no-locale"]
    subprocess.run([*run_as, *initdb, "--no-sync"], check=True, capture_output=True, timeout=120)
    port = free_port()
    # fsync off: a test server's data is thrown away, and fsync is most of a commit's cost here.
    options = f"-h 127.0.0.1 -p {port} -k {directory} -F -c max_connections=200"
    start = [str(bin_dir / "pg_ctl"), "start", "-D", str(directory / "data"), "-w", "-t", "60"]
    result = subprocess.run(
        [*run_as, *start, "-l", str(directory / "postgres.log"), "-o", options],
        capture_output=True,
        text=True,
        timeout=90,
    )
    server = PostgresServer(
        f"postgresql://qa:{password}@127.0.0.1:{port}/postgres", directory, run_as, bin_dir
    )
    if result.returncode != 0:
        log = server.log.read_text()[-2000:] if server.log.exists() else result.stderr
        server.stop()
        raise RuntimeError(f"PostgreSQL did not start: {log}")
    return server


def start_nginx(site: str, directory: Path) -> tuple[subprocess.Popen, Path]:
    """Debian's nginx in the foreground with `site` (an http-level configuration: upstreams and
    servers) and everything else it writes (pid, logs, temporary files) in `directory`; returns
    the process and its access log, which names the upstream of every request. The caller waits
    for it to answer: its ports are in `site`."""
    import shutil

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise RuntimeError("nginx is not installed: `make test` installs Debian's nginx")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "site.conf").write_text(site)
    access_log = directory / "access.log"
    temp = "".join(
        f"    {kind}_temp_path {directory}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (directory / "nginx.conf").write_text(
        f"daemon off;\npid {directory}/nginx.pid;\nerror_log {directory}/error.log;\n"
        "events {}\nhttp {\n"
        "    log_format upstreams '$request $status upstream=$upstream_addr';\n"
        f"    access_log {access_log} upstreams;\n{temp}"
        f"    include {directory}/site.conf;\n}}\n"
    )
    command = [nginx, "-p", str(directory), "-c", str(directory / "nginx.conf")]
    with open(directory / "stdout.log", "w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    return process, access_log
