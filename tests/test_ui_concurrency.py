"""Several browsers at once: questions run in parallel on the shared objects, each with its own
settings, and keep working while the owner thread indexes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from qa.request import Request
from tests.fakes import HashEmbedder
from ui.backend import Backend

QUESTIONS = [
    "Who was summoned and why?",
    "What did Zinoviev say?",
    "Which treaty did Russia and North Korea sign?",
    "What is the capital of Peru?",
]


@pytest.fixture
def backend(settings, sample_dir):
    backend = Backend(settings, HashEmbedder())
    backend.start(warm_up=False)
    list(backend.index(sorted(sample_dir.glob("*.txt"))))
    yield backend
    backend.stop()


def answers(backend, questions):
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda q: backend.ask(q).to_dict(), questions))


def test_parallel_questions_get_the_same_answers_as_serial_ones(backend):
    serial = [backend.ask(q).to_dict() for q in QUESTIONS]
    parallel = answers(backend, QUESTIONS * 8)
    for i, result in enumerate(parallel):
        expected = serial[i % len(QUESTIONS)]
        assert result["answer"] == expected["answer"]
        assert result["citations"] == expected["citations"]


def test_each_request_keeps_its_own_top_k(backend):
    def retrieved(top_k: int) -> int:
        session = backend.new_session()
        events = list(session.stream(Request(QUESTIONS[0], top_k=top_k)))
        return len(events[-1].answer.retrieved)

    with ThreadPoolExecutor(max_workers=6) as pool:
        counts = list(pool.map(retrieved, [1, 3] * 6))
    assert counts == [1, 3] * 6


def test_questions_are_answered_while_documents_are_indexed(backend, tmp_path):
    new_files = []
    for i in range(5):
        path = tmp_path / f"extra-{i}.txt"
        path.write_text(f"Report {i}. The harbour of town {i} reopened after repairs on Monday.\n")
        new_files.append(path)
    indexing = backend.index(new_files)
    next(indexing)  # the owner thread has started on the first file
    results = answers(backend, QUESTIONS * 4)
    list(indexing)
    assert all(r["citations"] or r["refused"] for r in results)
    assert len(backend.documents()) == 2 + 5
    assert "harbour" in backend.ask("Which harbour reopened after repairs?").answer
