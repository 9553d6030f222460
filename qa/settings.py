"""One typed settings object; every field can be set from the environment with prefix QA_."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.embedding import Precision
from qa.request import AnswerMode


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "qa"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    collection: str = "documents"
    # A Chroma server instead of the embedded store (BM25 snapshots stay in data_dir).
    chroma_url: str | None = None
    chroma_token: SecretStr | None = None  # only from the environment: QA_CHROMA_TOKEN
    # The catalogue (texts, spans, hashes, generation, writer lock) in PostgreSQL instead of the
    # SQLite file in data_dir, so several hosts share one collection: postgresql://USER@HOST/DB
    # (a password in the URL or PGPASSWORD; never printed).
    catalogue_url: SecretStr | None = None

    # Ingestion
    embedding_model: str = "sentence-transformers/all-MiniLM-L6-v2"
    # Passages per forward pass. Small batches pad less and hold less: 8 indexes as fast as 32
    # with ~100 MB less peak memory (benchmarks/index_memory.py).
    embedding_batch_size: int = 8
    # bfloat16 where the CPU has it natively (index/embedding.py, native_bfloat16): 1.6x faster
    # forward passes, vectors at cosine >= 0.998 to float32 ones, so collections mix freely.
    embedding_precision: Precision = "auto"
    threads: int = 2
    # Requests the web app serves at once (the LLM still answers one at a time).
    serve_concurrency: int = Field(4, ge=1, le=64)
    chunk_tokens: int = Field(200, ge=16, le=512)  # all-MiniLM-L6-v2 reads 256 word pieces
    chunk_overlap_sentences: int = Field(1, ge=0, le=5)
    # Sentence vectors: pooled from their chunk's forward pass, or each sentence embedded alone.
    sentence_vectors: Literal["pooled", "separate"] = "pooled"

    # Retrieval and answering
    answer_mode: AnswerMode = "auto"
    top_k: int = Field(6, ge=1, le=50)  # chunks handed to evidence selection
    candidates: int = Field(30, ge=1, le=500)  # per retriever, before fusion
    rrf_k: int = 60
    answer_sentences: int = Field(3, ge=1, le=10)
    # Refuse when the confidence that the documents answer is below this (qa/reading). On SQuAD
    # 2.0 dev 0.3 keeps false refusals at 10%, but short questions score lower than SQuAD's
    # long ones and 0.3 refused the sample's "Who was summoned and why?": 0.2 (4% there).
    refusal_threshold: float = Field(0.3, ge=0.0, le=1.0)
    max_question_chars: int = 2000

    # Generation (answer_mode "generate")
    llm_model: str = "qwen2.5-coder-0.5b-instruct"  # a packaged model name or a .gguf path
    llm_base_url: str | None = None  # an OpenAI-compatible endpoint instead, e.g. .../v1
    llm_api_model: str = "default"  # the model name sent to that endpoint
    llm_api_key: SecretStr | None = None  # only from the environment: QA_LLM_API_KEY
    llm_context: int = Field(2048, ge=512, le=32768)
    llm_max_tokens: int = Field(160, ge=16, le=2048)
    evidence_in_prompt: int = Field(6, ge=1, le=20)  # evidence sentences chosen for the LLM
    # Sentences shown either side of each chosen one, from its document (0: isolated sentences).
    evidence_neighbours: int = Field(1, ge=0, le=3)
    # At most this many sentences in the prompt: chosen ones are added, best first, with their
    # neighbours while they fit (~35 tokens a sentence, ~5 ms a token on 2 threads). 6 instead
    # of 9 answers 0.7 s sooner at the same accuracy within one question in 100 (README).
    prompt_sentences: int = Field(6, ge=1, le=60)
    # A generated sentence needs this cosine similarity to the span it cites (and its names,
    # numbers and dates must occur there).
    support_threshold: float = Field(0.55, ge=0.0, le=1.0)
    show_unverified: bool = False  # show unsupported sentences marked, instead of dropping them
