"""Shared bits of the benchmark scripts: where the data is, machine info, result output."""

from __future__ import annotations

import json
import os
import platform
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("QA_SHARED_DIR", ROOT.parent / "shared"))
RESULTS = ROOT / "benchmarks" / "results"


def checkout_side(spec: str) -> tuple[str, Path]:
    """A `--side LABEL=DIR` argument: another qa checkout to measure beside this one."""
    label, sep, path = spec.partition("=")
    if not sep or not Path(path, "qa").is_dir():
        raise SystemExit(f"--side wants LABEL=DIR of a qa checkout, got '{spec}'")
    return label, Path(path).resolve()


def machine() -> dict:
    return {
        "date": time.strftime("%Y-%m-%d"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def normalise(text: str) -> str:
    """Lower-case, curly quotes and punctuation folded, whitespace collapsed."""
    text = text.lower().replace("’", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"[\"'`]", "", text)
    return " ".join(text.split())


def write_result(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2))
    return path


def print_table(headers: list[str], rows: list[list]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*headers)
    for row in rows:
        table.add_row(*[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row])
    Console(width=200).print(table)
