"""Vectors for chunks and for the sentences they own, from one forward pass per chunk.

A sentence's vector is pooled from its chunk's word-piece vectors ("late chunking"), so it costs
no extra model call and carries its chunk's context (the title, the sentences around it);
`pooled=False` embeds each sentence on its own instead (QA_SENTENCE_VECTORS=separate).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from index.chunking import passage_text
from index.documents import Chunk, Sentence
from index.embedding import Embedder


def embed_chunks(
    embedder: Embedder,
    chunks: list[Chunk],
    titles: dict[str, str],
    sentences: list[Sentence],
    pooled: bool = True,
) -> tuple[np.ndarray, list[Sentence], np.ndarray]:
    """(chunk vectors, the sentences owned by these chunks, their vectors in that order)."""
    owned_by: dict[str, list[Sentence]] = defaultdict(list)
    for sentence in sentences:
        owned_by[sentence.chunk_id].append(sentence)
    passages, spans, owned = [], [], []
    for chunk in chunks:
        passage = passage_text(titles.get(chunk.doc_id, ""), chunk.text)
        shift = len(passage) - len(chunk.text) - chunk.start  # the chunk text ends the passage
        mine = owned_by.get(chunk.id, [])
        passages.append(passage)
        spans.append([(s.start + shift, s.end + shift) for s in mine])
        owned += mine
    if not passages:
        return np.zeros((0, 0), dtype=np.float32), [], np.zeros((0, 0), dtype=np.float32)
    chunk_vectors, grouped = embedder.embed_passages(passages, spans, pooled=pooled)
    rows = [g for g in grouped if len(g)]
    sentence_vectors = np.concatenate(rows) if rows else np.zeros((0, chunk_vectors.shape[1]))
    return chunk_vectors, owned, np.asarray(sentence_vectors, dtype=np.float32)
