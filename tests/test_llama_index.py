"""qa as llama-index parts (qa/integrations/llama_index.py): documents from a llama-index reader
go through qa's cleaning and chunking, and every node the retriever or the query engine returns
holds exactly the stored text at its offsets."""

from __future__ import annotations

import pytest
from llama_index.core import Document, SimpleDirectoryReader
from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers import SimpleSummarize
from llama_index.core.tools import QueryEngineTool

from index.documents import split_source
from qa.factory import build_assistant
from qa.integrations.llama_index import QARetriever, VerifiedQueryEngine, index_documents

QUESTION = "Who was summoned and why?"


@pytest.fixture
def assistant(settings, fake_embedder, sample_dir):
    documents = SimpleDirectoryReader(str(sample_dir)).load_data()
    report = index_documents(documents, settings, embedder=fake_embedder)
    assert len(report.added) == 2 and report.chunks > 2 and not report.failed
    return build_assistant(settings, embedder=fake_embedder)


def _assert_exact(nodes, manifest):
    assert nodes
    for scored in nodes:
        node = scored.node
        text = manifest.text(node.metadata["doc_id"])
        assert node.text == text[node.start_char_idx : node.end_char_idx]
        _, record = split_source(node.metadata["source"])
        assert record.endswith(".txt") and node.metadata["title"]  # named by the reader's file


def test_retriever_nodes_are_the_stored_chunks_with_their_ranks(assistant):
    nodes = QARetriever(assistant, top_k=4).retrieve(QUESTION)
    _assert_exact(nodes, assistant.manifest)
    assert len(nodes) == 4
    assert [n.score for n in nodes] == sorted((n.score for n in nodes), reverse=True)
    assert any(n.node.metadata["dense_rank"] == 1 for n in nodes)
    assert any(n.node.metadata["bm25_rank"] == 1 for n in nodes)
    assert "Zinoviev" in " ".join(n.node.text for n in nodes)
    # what a downstream LLM reads: the passage and its title, not our bookkeeping
    llm_view = nodes[0].node.get_content(metadata_mode="llm")
    assert "dense_rank" not in llm_view and nodes[0].node.metadata["title"] in llm_view


def test_query_engine_response_carries_the_verified_answer_and_its_spans(assistant):
    response = VerifiedQueryEngine(assistant).query(QUESTION)
    answer = assistant.ask(QUESTION)
    assert response.response == answer.answer and not response.metadata["refused"]
    assert len(response.source_nodes) == len(answer.citations)
    _assert_exact(response.source_nodes, assistant.manifest)
    for scored, citation in zip(response.source_nodes, answer.citations, strict=True):
        assert scored.node.metadata["n"] == citation.n and scored.node.text == citation.quote
    assert response.metadata["sentences"][0]["supported"] is True
    assert "total" in response.metadata["timings_ms"]
    assert response.metadata["confidence"] == answer.confidence
    if answer.short_answer is not None:
        assert response.metadata["short_answer"]["text"] == answer.short_answer.text

    refusal = VerifiedQueryEngine(assistant).query("What is the boiling point of mercury?")
    assert refusal.metadata["refused"] and not refusal.source_nodes
    assert refusal.metadata["closest"]


def test_both_plug_into_llama_index_pipelines(assistant):
    # a llama-index synthesizer over our nodes (a mock LLM: nothing here may call out)
    engine = RetrieverQueryEngine(
        QARetriever(assistant, top_k=3), response_synthesizer=SimpleSummarize(llm=MockLLM())
    )
    _assert_exact(engine.query(QUESTION).source_nodes, assistant.manifest)
    tool = QueryEngineTool.from_defaults(
        VerifiedQueryEngine(assistant), name="documents", description="Cited answers."
    )
    output = tool.call(QUESTION)
    assert "[1]" in output.content and output.raw_output.source_nodes


def test_indexing_the_same_set_again_skips_it_and_drops_what_is_gone(settings, fake_embedder):
    documents = [
        Document(text="The council approved the bridge on Monday.", metadata={"title": "Bridge"}),
        Document(text="Tomatoes grow well in warm gardens.", metadata={"url": "https://x"}),
    ]
    first = index_documents(documents, settings, name="notes", embedder=fake_embedder)
    assert len(first.added) == 2
    again = index_documents(documents, settings, name="notes", embedder=fake_embedder)
    assert not again.added and again.unchanged_files
    fewer = index_documents(documents[:1], settings, name="notes", embedder=fake_embedder)
    assert len(fewer.removed) == 1
    [info] = build_assistant(settings, embedder=fake_embedder).manifest.list_documents()
    assert info.title == "Bridge"


def test_a_bad_set_name_is_a_user_error(settings, fake_embedder):
    from index.errors import UserError

    with pytest.raises(UserError, match="cannot name a document set"):
        index_documents([], settings, name="../elsewhere", embedder=fake_embedder)
