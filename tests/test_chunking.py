from index.chunking import chunk_document, passage_text
from index.documents import Document
from index.sentences import sentence_spans


def _words(texts):
    return [len(t.split()) for t in texts]


def _doc(text: str) -> Document:
    return Document(id=Document.id_for(text), source="s", text=text, title="T")


def test_sentence_spans_are_exact_and_respect_abbreviations():
    text = "The U.S. envoy met Mr. Kim at 5 p.m. on Friday.\nSecond line here.  Third one!"
    spans = sentence_spans(text)
    assert [text[s.start : s.end] for s in spans] == [
        "The U.S. envoy met Mr. Kim at 5 p.m. on Friday.",
        "Second line here.",
        "Third one!",
    ]


def test_chunks_index_exactly_into_the_document_and_stay_in_budget():
    sentences = [
        f"Sentence number {i} talks about topic {i % 7} at some length." for i in range(60)
    ]
    text = "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, 60, 3))
    doc = _doc(text)
    chunks = chunk_document(doc, _words, max_tokens=40, overlap_sentences=1)
    assert len(chunks) > 5
    for i, chunk in enumerate(chunks):
        assert chunk.text == doc.text[chunk.start : chunk.end]
        assert chunk.id == f"{doc.id}:{i}" and chunk.index == i
        assert len(chunk.text.split()) <= 40
    # every sentence is in some chunk; consecutive chunks overlap by one sentence
    covered = {s for c in chunks for s in c.sentences}
    assert covered == set(sentence_spans(text))
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert a.sentences[-1] == b.sentences[0]


def test_no_overlap_when_disabled():
    text = " ".join(f"Short sentence {i}." for i in range(30))
    chunks = chunk_document(_doc(text), _words, max_tokens=10, overlap_sentences=0)
    assert all(a.end < b.start for a, b in zip(chunks, chunks[1:], strict=False))


def test_overlong_sentence_is_cut_at_word_boundaries():
    text = " ".join(f"w{i}" for i in range(95)) + "."
    doc = _doc(text)
    chunks = chunk_document(doc, _words, max_tokens=20, overlap_sentences=1)
    assert len(chunks) == 5
    assert all(c.text == text[c.start : c.end] and len(c.text.split()) <= 20 for c in chunks)
    assert chunks[-1].text.endswith("w94.")


def test_passage_text_prefixes_title_once():
    assert passage_text("Title", "Body.") == "Title\nBody."
    assert passage_text("Title", "Title and more.") == "Title and more."
    assert passage_text("", "Body.") == "Body."
