"""`qa` with the hash embedder, for tests that run the app as a process of its own (another
host, in effect): `python -m tests.qa_with_fakes serve`. QA_TEST_EMBED_DELAY (seconds per
embedded batch) makes an upload slow enough to be caught, or killed, mid-write."""

from __future__ import annotations

import os
import time

import numpy as np

import qa.factory
from tests.fakes import HashEmbedder


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
    from qa.cli import main

    main(prog_name="qa")
