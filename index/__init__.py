"""Ingestion: load files, clean them, chunk with character offsets, embed, store in Chroma.

Knows nothing of questions; `qa/` builds on it.
"""
