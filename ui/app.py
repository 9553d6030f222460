"""The Gradio app: a Chat tab (answers, citations, source panel, settings) and a Documents tab."""

from __future__ import annotations

import gradio as gr

from qa.request import ANSWER_MODES
from ui.api import ask_endpoint
from ui.api_documents import add_documents_endpoint
from ui.backend import Backend
from ui.chat import ChatPanel
from ui.documents import DocumentsPanel
from ui.evals_tab import EvalsPanel, bundled_sets
from ui.render import EMPTY_CONVERSATION
from ui.render_source import EMPTY_SOURCE
from ui.style import CITATION_CLICKS, SCROLL_TO_MARK
from ui.uploads import MAX_UPLOAD_MB, UPLOAD_TYPES

TITLE = "qa — answers from your documents"
MODE_HELP = (
    "extractive: quotes the best sentences. generate: a local LLM writes the answer and every "
    "sentence is checked against the passage it cites. auto: generate when an LLM is installed."
)


def build_app(backend: Backend, max_upload_mb: int = MAX_UPLOAD_MB) -> gr.Blocks:
    """The app on top of `backend` (which tests build with a fake embedder)."""
    with gr.Blocks(title=TITLE, delete_cache=(900, 900)) as app:
        gr.Markdown(f"## {TITLE}")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                _chat_tab(backend)
            with gr.Tab("Documents", id="documents"):
                load_listing, listing_outputs = _documents_tab(backend, max_upload_mb * 2**20)
            with gr.Tab("Evals", id="evals"):
                _evals_tab(backend)
        app.load(load_listing, None, listing_outputs, api_visibility="private")
        gr.api(ask_endpoint(backend), api_name="ask")
        gr.api(add_documents_endpoint(backend, max_upload_mb * 2**20), api_name="add_documents")
    return app


def _chat_tab(backend: Backend) -> None:
    chat = ChatPanel(backend)
    settings = backend.settings
    session = gr.State(None)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            conversation = gr.HTML(
                EMPTY_CONVERSATION,
                elem_id="qa-conversation",
                js_on_load=CITATION_CLICKS,
                autoscroll=True,
            )
            status = gr.HTML("", elem_id="qa-status")
            with gr.Row():
                question = gr.Textbox(
                    placeholder="Ask a question about your documents…",
                    show_label=False,
                    elem_id="qa-question",
                    # No max_length: the browser would silently cut a long paste; the server
                    # refuses an over-long question with a message instead.
                    autofocus=True,
                    scale=8,
                )
                ask = gr.Button("Ask", variant="primary", elem_id="qa-ask", scale=1, min_width=80)
                new = gr.Button(
                    "New conversation", elem_id="qa-new", size="sm", scale=1, min_width=110
                )
            with gr.Accordion("Settings", open=False, elem_id="qa-settings"):
                mode = gr.Radio(
                    list(ANSWER_MODES),
                    value=settings.answer_mode,
                    label="Answer mode",
                    info=MODE_HELP,
                )
                top_k = gr.Slider(
                    1,
                    max(20, settings.top_k),
                    value=settings.top_k,
                    step=1,
                    label="Passages to read (top-k)",
                )
                show_unverified = gr.Checkbox(
                    value=bool(getattr(settings, "show_unverified", False)),
                    label="Show unverified sentences (marked) instead of dropping them",
                )
                with gr.Row():
                    since = gr.Textbox(
                        label="Published on or after", placeholder="YYYY-MM-DD", elem_id="qa-since"
                    )
                    until = gr.Textbox(
                        label="Published on or before", placeholder="YYYY-MM-DD", elem_id="qa-until"
                    )
        with gr.Column(scale=2):
            source = gr.HTML(EMPTY_SOURCE, elem_id="qa-source-panel", js_on_load=SCROLL_TO_MARK)

    private = {"api_visibility": "private"}
    ask_inputs = [question, session, mode, top_k, show_unverified, since, until]
    ask_outputs = [conversation, status, session, question]
    ask.click(chat.respond, ask_inputs, ask_outputs, **private)
    question.submit(chat.respond, ask_inputs, ask_outputs, **private)
    conversation.click(chat.open_source, [session], [source], show_progress="hidden", **private)
    new.click(chat.reset, [session], [conversation, source, status, session], **private)
    show_unverified.change(chat.rerender, [session, show_unverified], [conversation], **private)


def _documents_tab(backend: Backend, max_upload_bytes: int) -> tuple:
    """The tab's components and events; returns (handler, outputs) that fill the list on load."""
    docs = DocumentsPanel(backend, max_upload_bytes)
    limit = f"at most {max_upload_bytes // 2**20} MB each"
    files = gr.File(
        file_count="multiple",
        file_types=list(UPLOAD_TYPES),
        label=f"Add documents ({' '.join(UPLOAD_TYPES)}; {limit})",
        elem_id="qa-upload",
    )
    with gr.Row():
        index = gr.Button("Index uploaded files", variant="primary", elem_id="qa-index")
        reindex = gr.Button("Re-index all", elem_id="qa-reindex")
    status = gr.HTML("", elem_id="qa-doc-status")
    listing = gr.HTML("", elem_id="qa-doc-list")
    with gr.Row():
        picker = gr.Dropdown(choices=[], label="Document", elem_id="qa-doc-picker", scale=4)
        remove = gr.Button("Remove document", variant="stop", elem_id="qa-remove", scale=1)

    private = {"api_visibility": "private"}
    index.click(docs.index_uploads, [files], [status, listing, picker, files], **private)
    reindex.click(docs.reindex, None, [status, listing, picker], **private)
    remove.click(docs.remove, [picker], [status, listing, picker], **private)
    return docs.listing, [listing, picker]


def _evals_tab(backend: Backend) -> None:
    evals = EvalsPanel(backend)
    sets = bundled_sets()
    gr.Markdown(
        "Run an eval set (JSONL: `id`, `question`, `answers`, `answerable`, …) on this "
        "collection to measure how far to trust the answers: retrieval hits, answer accuracy, "
        "refusals, citation precision and latency."
    )
    with gr.Row():
        chosen = gr.Dropdown(
            choices=sets,
            value=sets[0][1] if sets else None,
            label="Eval set",
            elem_id="qa-eval-set",
            scale=2,
        )
        uploaded = gr.File(
            file_types=[".jsonl"], type="filepath", label="…or upload one (.jsonl)", scale=2
        )
        with gr.Column(scale=1):
            mode = gr.Radio(
                list(ANSWER_MODES), value=backend.settings.answer_mode, label="Answer mode"
            )
            limit = gr.Number(value=0, precision=0, minimum=0, label="First N items (0: all)")
    run = gr.Button("Run evaluation", variant="primary", elem_id="qa-eval-run")
    status = gr.HTML("", elem_id="qa-eval-status")
    with gr.Row():
        summary = gr.HTML("", elem_id="qa-eval-summary")
        plot = gr.Image(type="filepath", label="Report plot", interactive=False)
    files = gr.File(label="Report files", file_count="multiple", interactive=False)
    run.click(
        evals.run,
        [chosen, uploaded, mode, limit],
        [status, summary, plot, files],
        api_visibility="private",
    )
