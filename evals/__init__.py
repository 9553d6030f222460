"""Evaluation: run question sets through qa/, score retrieval, answers, citations, refusals and
latency, and write reports. Builds on qa/; nothing below imports it."""
