"""LLM backends behind one small interface: a local llama.cpp model, or any OpenAI-compatible
endpoint (Ollama, vLLM, llama.cpp server, OpenAI)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, Protocol

from index.errors import UserError
from qa.settings import Settings
from qa.weights import ModelError, resolve_model_path

Messages = list[dict[str, str]]


class LLMError(UserError):
    """The LLM could not be reached or failed; the message is one line."""


class LLM(Protocol):
    name: str

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str]:
        """The reply, piece by piece."""
        ...

    def complete(self, messages: Messages, max_tokens: int) -> str:
        """The whole reply."""
        ...


class _CompleteFromStream:
    def complete(self, messages: Messages, max_tokens: int) -> str:
        return "".join(self.stream(messages, max_tokens))  # type: ignore[attr-defined]


class LlamaCppLLM(_CompleteFromStream):
    """A GGUF model run by llama.cpp on the CPU. One instance is shared; requests queue on a lock
    (llama.cpp contexts are not safe to use from two threads at once)."""

    def __init__(self, model: str, threads: int = 2, context: int = 2048, seed: int = 0):
        """Light: the weights are found (a packaged model assembled) and loaded on first use."""
        self.name = model
        self._threads = threads
        self._context = context
        self._seed = seed
        self._llama: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._llama is None:
            try:
                path = resolve_model_path(self.name)
            except ModelError as exc:
                raise LLMError(str(exc)) from exc
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise LLMError("llama-cpp-python is not installed") from exc
            self._llama = Llama(
                model_path=str(path),
                n_ctx=self._context,
                n_threads=self._threads,
                n_threads_batch=self._threads,
                seed=self._seed,
                verbose=False,
            )
        return self._llama

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str]:
        with self._lock:
            llama = self._load()
            prompt_tokens = len(llama.tokenize(_flatten(messages).encode("utf-8")))
            # Keep the prompt inside the context window, leaving room for the reply.
            max_tokens = max(16, min(max_tokens, self._context - prompt_tokens - 32))
            chunks = llama.create_chat_completion(
                messages=messages, max_tokens=max_tokens, temperature=0.0, stream=True
            )
            for chunk in chunks:
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece


class OpenAICompatibleLLM(_CompleteFromStream):
    """Chat completions from any OpenAI-compatible endpoint, streamed by the official `openai`
    client (server-sent events, retries, error types); the key comes from QA_LLM_API_KEY."""

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 120):
        self.name = f"{model} @ {base_url}"
        self._base_url = base_url.rstrip("/")
        self._model = model
        self._api_key = api_key
        self._timeout = timeout
        self._client: Any = None

    def _openai(self) -> Any:
        if self._client is None:
            from openai import OpenAI  # ~1 s to import: only when an endpoint is used

            # Always an explicit key: the client would otherwise send OPENAI_API_KEY from the
            # environment to whatever endpoint QA_LLM_BASE_URL names. Servers without keys
            # (Ollama, llama.cpp server, vLLM by default) ignore the placeholder.
            self._client = OpenAI(
                base_url=self._base_url,
                api_key=self._api_key or "no-key",
                timeout=self._timeout,
                max_retries=2,
            )
        return self._client

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str]:
        import openai

        where = f"{self._base_url}/chat/completions"
        try:
            chunks = self._openai().chat.completions.create(
                model=self._model,
                messages=messages,
                max_tokens=max_tokens,
                temperature=0.0,
                stream=True,
            )
            with chunks:
                for chunk in chunks:
                    piece = chunk.choices[0].delta.content if chunk.choices else None
                    if piece:
                        yield piece
        except openai.APIConnectionError as exc:
            raise LLMError(f"cannot reach the LLM endpoint {where}: {exc}") from exc
        except openai.APIStatusError as exc:
            raise LLMError(
                f"LLM endpoint {where} answered {exc.status_code}: {str(exc.message)[:200]}"
            ) from exc
        except openai.OpenAIError as exc:
            raise LLMError(f"LLM endpoint {where} failed: {exc}") from exc


def build_llm(settings: Settings) -> LLM:
    """The configured LLM: an endpoint when QA_LLM_BASE_URL is set, else the local model."""
    if settings.llm_base_url:
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return OpenAICompatibleLLM(settings.llm_base_url, settings.llm_api_model, key)
    return LlamaCppLLM(settings.llm_model, settings.threads, settings.llm_context)


def llm_available(settings: Settings) -> bool:
    """Whether generate mode can run without configuration errors (nothing is loaded)."""
    import importlib.util

    from qa.weights import PACKAGED_MODELS, packaged_model_installed

    if settings.llm_base_url:
        return True
    if importlib.util.find_spec("llama_cpp") is None:
        return False
    packaged = PACKAGED_MODELS.get(settings.llm_model)
    if packaged is not None:
        return packaged_model_installed(packaged)
    from pathlib import Path

    return Path(settings.llm_model).expanduser().is_file()


def _flatten(messages: Messages) -> str:
    return "\n".join(m["content"] for m in messages)
