"""Query latency of the web app under concurrent clients: embedded store, Chroma server, and
the shared deployment (one Chroma server, one PostgreSQL catalogue, --apps `qa serve` processes,
each with its own data directory, the users spread over them as a reverse proxy would).

Starts `qa serve` (extractive answers) on 127.0.0.1 over a RealTime QA collection, then for each
client count runs that many simulated users at once, each with its own gradio_client calling
`/ask` with RealTime QA dev questions, bounded in requests and time. Prints p50/p95 latency,
throughput and failed requests per level and backend, with the server's peak RSS, and writes
benchmarks/results/load_ui.json.

    python benchmarks/load_ui.py --articles 262                   # index 10% first, then load
    python benchmarks/load_ui.py --data-dir DIR --clients 1,8,32  # an existing collection
    python benchmarks/load_ui.py --backends embedded,shared --apps 2
    python benchmarks/load_ui.py --data-dir DIR --backends embedded --clients 8 \
        --side before=/tmp/qa-before --rounds 2   # another checkout's qa serve, taking turns

"server CPU ms/answer" is the app processes' CPU time over a level divided by its requests: it
counts what the server spends, whatever else the machine runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (  # noqa: E402
    ROOT,
    SHARED,
    checkout_side,
    machine,
    print_table,
    write_result,
)
from benchmarks.scale_realtimeqa import in_checkout  # noqa: E402
from harness.load_users import run_users  # noqa: E402
from harness.servers import (  # noqa: E402
    cpu_seconds,
    free_port,
    peak_rss_mb,
    start,
    start_chroma,
    start_postgres,
    stop,
)

REALTIMEQA = SHARED / "benchmarks" / "realtimeqa"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="an indexed collection (else one is built)")
    parser.add_argument("--articles", type=int, default=262, help="articles to index, if built")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--requests", type=int, default=96, help="requests per level (at most)")
    parser.add_argument("--time-limit", type=float, default=180.0, help="seconds per level")
    parser.add_argument("--backends", default="embedded,server", help="embedded,server,shared")
    parser.add_argument("--apps", type=int, default=2, help="qa serve processes when shared")
    parser.add_argument("--concurrency", type=int, default=4, help="QA_SERVE_CONCURRENCY")
    parser.add_argument(
        "--side", action="append", default=[], help="LABEL=DIR: also serve this checkout (repeat)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="turns of every side")
    args = parser.parse_args()
    sides = [checkout_side(spec) for spec in args.side] + [("this", ROOT)]

    questions = [json.loads(line)["question"] for line in open(REALTIMEQA / "questions.jsonl")]
    work = Path(tempfile.mkdtemp(prefix="qa-load-"))
    data_dir = args.data_dir or build_collection(work, args.articles)
    levels = [int(c) for c in args.clients.split(",")]
    rows, results = [], []
    for round_ in range(args.rounds):
        for label, repo in sides:
            for backend in args.backends.split(","):
                run = run_backend(backend, data_dir, work, levels, questions, args, repo)
                for result in run:
                    results.append({"side": label, "round": round_, **result})
                    rows.append(
                        [
                            label,
                            backend,
                            result["clients"],
                            result["requests"],
                            result["failed"],
                            result["p50_s"],
                            result["p95_s"],
                            result["per_s"],
                            result["server_cpu_ms_per_answer"],
                            result["server_peak_rss_mb"],
                        ]
                    )
    headers = ["code", "store", "clients", "requests", "failed", "p50 s", "p95 s", "req/s"]
    print_table([*headers, "server CPU ms/answer", "server peak MB"], rows)
    path = write_result(
        "load_ui",
        {
            "machine": machine(),
            "collection": {"data_dir_given": bool(args.data_dir), "articles": args.articles},
            "concurrency": args.concurrency,
            "sides": {label: str(repo) for label, repo in sides},
            "results": results,
        },
    )
    print(f"wrote {path}")


def build_collection(work: Path, articles: int) -> Path:
    subset = work / "corpus.jsonl"
    with open(REALTIMEQA / "corpus.jsonl") as src, open(subset, "w") as dst:
        for n, line in enumerate(src):
            if articles and n >= articles:
                break
            dst.write(line)
    data_dir = work / "data"
    began = time.monotonic()
    subprocess.run([*qa_command(), "--data-dir", str(data_dir), "index", str(subset)], check=True)
    print(f"indexed {articles or 'all'} articles in {time.monotonic() - began:.0f} s")
    return data_dir


def qa_command() -> list[str]:
    return [sys.executable, "-c", "from qa.cli import main; main(prog_name='qa')"]


def run_backend(backend, data_dir, work, levels, questions, args, repo) -> list[dict]:
    """`qa serve` of checkout `repo` (on `backend`) under each client count in turn."""
    if backend == "shared":
        return run_shared(data_dir, work, levels, questions, args, repo)
    checkout = in_checkout(repo)
    env = {
        **checkout["env"],
        "QA_DATA_DIR": str(data_dir),
        "QA_ANSWER_MODE": "extractive",
        "QA_SERVE_CONCURRENCY": str(args.concurrency),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
    }
    chroma = None
    if backend == "server":
        # The server serves the same files the embedded store wrote.
        chroma, env["QA_CHROMA_URL"] = start_chroma(data_dir / "chroma", work / "chroma.log")
    port = free_port()
    env["QA_PORT"] = str(port)
    url = f"http://127.0.0.1:{port}/"
    app = start([*qa_command(), "serve"], url, work / f"serve-{backend}.log", env, cwd=repo)
    try:
        return run_levels(backend, [url], [app], chroma, levels, questions, args)
    finally:
        stop(app)
        if chroma:
            stop(chroma)


def run_shared(data_dir, work, levels, questions, args, repo) -> list[dict]:
    """The SQLite catalogue copied into a fresh PostgreSQL (`qa docs migrate`), `chroma run`
    on the embedded store's files, and `args.apps` app processes with empty data directories."""
    chroma, chroma_url = start_chroma(data_dir / "chroma", work / "chroma.log")
    postgres = start_postgres()
    apps: list = []
    try:
        migrate = [*qa_command(), "--data-dir", str(data_dir), "docs", "migrate"]
        checkout = in_checkout(repo)
        subprocess.run(
            [*migrate, "--to", postgres.url], check=True, stdout=subprocess.DEVNULL, **checkout
        )
        urls = []
        for n in range(args.apps):
            port = free_port()
            env = {
                **checkout["env"],
                "QA_DATA_DIR": str(work / f"app-{n}"),
                "QA_CHROMA_URL": chroma_url,
                "QA_CATALOGUE_URL": postgres.url,
                "QA_ANSWER_MODE": "extractive",
                "QA_SERVE_CONCURRENCY": str(args.concurrency),
                "QA_PORT": str(port),
                "GRADIO_ANALYTICS_ENABLED": "False",
                "ANONYMIZED_TELEMETRY": "False",
            }
            urls.append(f"http://127.0.0.1:{port}/")
            log = work / f"app-{n}.log"
            apps.append(start([*qa_command(), "serve"], urls[-1], log, env, cwd=repo))
        return run_levels(f"shared x{args.apps}", urls, apps, chroma, levels, questions, args)
    finally:
        for app in apps:
            stop(app)
        stop(chroma)
        postgres.stop()


def run_levels(backend, urls, apps, chroma, levels, questions, args) -> list[dict]:
    """Each client count in turn against the running app processes (after a warm-up)."""
    for url in urls:
        run_users(url, questions[:4], askers=1, requests_per_user=4)  # warm up
    results = []
    for clients in levels:
        per_user = max(1, args.requests // clients)
        cpu_before = sum(cpu_seconds(app) or 0 for app in apps)
        run = run_users(
            urls,
            questions,
            askers=clients,
            requests_per_user=per_user,
            time_limit=args.time_limit,
        )
        latency = run.latency()
        cpu = sum(cpu_seconds(app) or 0 for app in apps) - cpu_before
        results.append(
            {
                "backend": backend,
                "clients": clients,
                "requests": len(run.requests),
                "failed": len(run.failed()),
                "errors": sorted({r.error for r in run.failed()})[:5],
                "p50_s": latency["p50"],
                "p95_s": latency["p95"],
                "per_s": len(run.requests) / run.seconds,
                "server_cpu_ms_per_answer": 1000 * cpu / max(1, len(run.requests)),
                "server_peak_rss_mb": sum(peak_rss_mb(app) or 0 for app in apps),
                "chroma_peak_rss_mb": peak_rss_mb(chroma) if chroma else None,
            }
        )
        print(json.dumps(results[-1]))
    return results


if __name__ == "__main__":
    main()
