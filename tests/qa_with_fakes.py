"""`qa` with the hash embedder (and the reader the fast tests use with it, tests/conftest.py),
for tests that run the app as a process of its own (another host, in effect):
`python -m tests.qa_with_fakes serve`. QA_TEST_EMBED_DELAY (seconds per
embedded batch) makes an upload slow enough to be caught, or killed, mid-write."""

from __future__ import annotations

import os
import time

import numpy as np

import qa.assistant
import qa.factory
from tests.fakes import HashEmbedder, score_reader


class SlowHashEmbedder(HashEmbedder):
    def __init__(self, delay: float):
        super().__init__()
        self._delay = delay

    def embed(self, texts: list[str]) -> np.ndarray:
        time.sleep(self._delay)
        return super().embed(texts)


if __name__ == "__main__":
    delay = float(os.environ.get("QA_TEST_EMBED_DELAY", "0"))
    qa.factory.build_embedder = lambda settings: SlowHashEmbedder(delay)
    from qa.settings import Settings

    reader = score_reader(Settings.model_fields["refusal_threshold"].default)
    qa.assistant.load_reader = lambda: reader
    from qa.cli import main

    main(prog_name="qa")
