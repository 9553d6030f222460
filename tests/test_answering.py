import numpy as np
import pytest

from index.documents import Sentence
from index.sentences import sentence_spans
from qa.evidence import Evidence, select_evidence
from qa.extractive import choose_sentences
from tests.fakes import HashEmbedder


def _ev(text, probability, start=0):
    return Evidence(
        "d", start, start + len(text), text, probability, probability, probability, 1,
        probability=probability,
    )  # fmt: skip


def test_choose_refuses_below_threshold():
    strong = [_ev("a strong sentence here", 0.9)]
    assert choose_sentences(strong, 3, confidence=0.2, threshold=0.3) == []
    assert choose_sentences(strong, 3, confidence=0.4, threshold=0.3) == strong
    assert choose_sentences([], 3, confidence=0.9, threshold=0.3) == []


def test_choose_keeps_strong_distinct_sentences_only():
    evidence = [
        _ev("The ambassador was summoned on Friday over the pact.", 0.9, 0),
        _ev("The ambassador was summoned on Friday over the pact, officials said.", 0.85, 100),
        _ev("Seoul protested the military treaty between the two countries.", 0.8, 200),
        _ev("Weather was mild in the capital.", 0.3, 300),
    ]
    chosen = choose_sentences(evidence, 3, confidence=0.9, threshold=0.3)
    assert [e.start for e in chosen] == [0, 200]  # near-duplicate and weak ones dropped


def test_choose_caps_the_number_of_sentences():
    evidence = [_ev(f"distinct sentence number {i} {'x' * i}", 0.9, i * 50) for i in range(6)]
    assert len(choose_sentences(evidence, 2, confidence=0.9, threshold=0.3)) == 2


def test_select_evidence_offsets_are_exact_and_ranked():
    text = (
        "Intro line without much.\n"
        "The ambassador Georgy Zinoviev was summoned over the pact. Markets were calm. Ok.\n"
        "Unrelated text about gardening and tomatoes grows here."
    )
    embedder = HashEmbedder()
    question = "Who was summoned over the pact?"
    spans = sentence_spans(text)
    candidates = [
        (Sentence(f"d:s{i}", "d", i, s.start, s.end, "d:0"), 1) for i, s in enumerate(spans)
    ]
    vectors = dict(
        zip(
            [s.id for s, _ in candidates],
            embedder.embed([text[s.start : s.end] for s in spans]),
            strict=True,
        )
    )
    calls = embedder.calls
    evidence = select_evidence(
        question,
        embedder.embed([question])[0],
        candidates,
        vectors,
        lambda _: text,
        lambda words: dict.fromkeys(words, 1.0),
    )
    assert embedder.calls == calls + 1  # the question only: sentence vectors are stored
    assert evidence[0].text.startswith("The ambassador Georgy Zinoviev")
    for e in evidence:
        assert text[e.start : e.end] == e.text
        assert 0.0 <= e.score <= 1.0
    assert all(e.text != "Ok." for e in evidence)  # too short to be evidence
    del vectors["d:s4"]  # a sentence without a stored vector is left out, not an error
    rest = select_evidence(
        question, embedder.embed([question])[0], candidates, vectors, lambda _: text, lambda w: {}
    )
    assert "gardening" not in " ".join(e.text for e in rest)


def test_hash_embedder_is_deterministic_and_normalised():
    a, b = HashEmbedder().embed(["same text"]), HashEmbedder().embed(["same text"])
    assert np.allclose(a, b) and np.isclose(np.linalg.norm(a), 1.0)


def test_bfloat16_is_chosen_only_where_the_cpu_computes_it(tmp_path):
    from index.embedding import EmbeddingModelError, SentenceTransformerEmbedder, native_bfloat16

    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16\n")
    assert native_bfloat16(cpuinfo)
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\n")
    assert not native_bfloat16(cpuinfo)
    assert not native_bfloat16(tmp_path / "missing")
    assert SentenceTransformerEmbedder(precision="float32").precision == "float32"
    with pytest.raises(EmbeddingModelError, match="unknown embedding precision 'half'"):
        SentenceTransformerEmbedder(precision="half")
