"""The `qa` command line: index documents, ask questions, manage the collection."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import os
import sys
from pathlib import Path

import click

from index.errors import UserError
from qa.request import ANSWER_MODES

# Before chromadb or gradio are imported anywhere: no telemetry leaves the machine.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def user_errors(command):
    """Errors a user can cause become one clear line and a non-zero exit, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UserError as exc:
            raise click.ClickException(str(exc)) from exc
        except Exception as exc:
            invalid = _invalid_setting(exc)
            if invalid is None:
                raise
            raise click.ClickException(invalid) from exc

    return wrapper


def _invalid_setting(error: Exception) -> str | None:
    """The line for a QA_* variable that fails validation; None for any other error. pydantic is
    imported only here, once something has failed, so `qa --help` does not pay for it."""
    from pydantic import ValidationError

    if not isinstance(error, ValidationError):
        return None
    first = error.errors()[0]
    field = "QA_" + "_".join(str(p) for p in first["loc"]).upper()
    return f"invalid setting {field}: {first['msg']}"


class LazyGroup(click.Group):
    """Commands owned by the layers above qa/ (the web UI, the eval runner) are named here by
    import path and loaded only when used, so qa/ never imports ui/ or evals/ at import time."""

    lazy_commands = {"serve": "ui.cli:serve_command", "eval": "evals.cli:eval_command"}

    def list_commands(self, ctx: click.Context) -> list[str]:
        available = [name for name, target in self.lazy_commands.items() if _importable(target)]
        return sorted([*super().list_commands(ctx), *available])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = self.lazy_commands.get(name)
        if target is None or not _importable(target):
            return super().get_command(ctx, name)
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)


def _importable(target: str) -> bool:
    return importlib.util.find_spec(target.split(":")[0]) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    envvar="QA_DATA_DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the collection lives (env QA_DATA_DIR; default ~/.local/share/qa).",
)
@click.option(
    "--chroma-url",
    envvar="QA_CHROMA_URL",
    help="A Chroma server (http://HOST:PORT) instead of the embedded store (env QA_CHROMA_URL).",
)
@click.option(
    "--catalogue-url",
    envvar="QA_CATALOGUE_URL",
    help="A PostgreSQL catalogue (postgresql://USER@HOST/DB) shared by several hosts, instead "
    "of the SQLite file in the data directory (env QA_CATALOGUE_URL; the password from the "
    "environment: PGPASSWORD or the URL in QA_CATALOGUE_URL).",
)
@click.pass_context
@user_errors
def main(
    ctx: click.Context, data_dir: Path | None, chroma_url: str | None, catalogue_url: str | None
) -> None:
    """Ask questions about your own documents and get answers with exact citations.

    \b
    Example:
      qa index data/sample
      qa ask "Who was summoned and why?"
    """
    from qa.settings import Settings

    overrides = {"data_dir": data_dir, "chroma_url": chroma_url, "catalogue_url": catalogue_url}
    ctx.obj = Settings(**{k: v for k, v in overrides.items() if v})


@main.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
@user_errors
def index_command(settings, paths: tuple[Path, ...]) -> None:
    """Index files or directories (.txt .md .html .pdf .docx .jsonl).

    \b
    Example:
      qa index data/sample notes.md report.pdf
    """
    from index.summary import report_summary
    from qa.factory import build_indexer

    indexer = build_indexer(settings, progress=sys.stderr.isatty())
    report = indexer.index(list(paths))
    click.echo(report_summary(report))
    for source, reason in report.skipped:
        click.echo(f"{_short(source)}: {reason}", err=True)
    for source, reason in report.failed:
        click.echo(f"error: {_short(source)}: {reason}", err=True)
    if report.failed:
        raise click.exceptions.Exit(1)


MODE_OPTION = click.option(
    "--mode",
    type=click.Choice([mode for mode in ANSWER_MODES if mode != "auto"]),
    help="extractive: quote the best sentences; generate: a local LLM writes, qa verifies.",
)


def _date(ctx, param, value: str | None) -> str | None:
    from index.dates import DateError, parse_date

    try:
        return parse_date(value)
    except DateError as exc:
        raise click.BadParameter(str(exc)) from exc


def date_options(command):
    """--since / --until: only documents published in that range (inclusive)."""
    command = click.option("--until", callback=_date, help="Published on or before (YYYY-MM-DD).")(
        command
    )
    return click.option("--since", callback=_date, help="Published on or after (YYYY-MM-DD).")(
        command
    )


@main.command("ask")
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (see README).")
@click.option("--top-k", type=click.IntRange(1, 50), help="Chunks to read evidence from.")
@MODE_OPTION
@date_options
@click.pass_obj
@user_errors
def ask_command(
    settings,
    question: str,
    as_json: bool,
    top_k: int | None,
    mode: str | None,
    since: str | None,
    until: str | None,
) -> None:
    """Answer a question from the indexed documents, citing exact passages.

    \b
    Example:
      qa ask "Who was summoned and why?" --json
    """
    from index.dates import DateRange
    from qa.factory import build_assistant
    from qa.request import Request

    draft = _DraftPrinter(enabled=not as_json)
    answer = None
    request = Request(question, mode=mode, top_k=top_k, dates=DateRange(since, until))
    for event in build_assistant(settings).stream(request):
        if event.kind == "token":
            draft.add(event.text)
        elif event.kind == "answer":
            draft.close()
            answer = event.answer
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_answer(answer)


@main.command("chat")
@MODE_OPTION
@date_options
@click.pass_obj
@user_errors
def chat_command(settings, mode: str | None, since: str | None, until: str | None) -> None:
    """Ask questions in a conversation; follow-ups ("Why?") use the earlier questions.

    \b
    Example:
      qa chat        (then type questions; an empty line or Ctrl-D ends)
    """
    from index.dates import DateRange
    from qa.assistant import QuestionError
    from qa.chat import ChatSession
    from qa.factory import build_assistant
    from qa.request import Request

    session = ChatSession(build_assistant(settings))
    dates = DateRange(since, until)
    while True:
        try:
            question = click.prompt("you", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            break
        if not question.strip():
            break
        draft = _DraftPrinter()
        try:
            for event in session.stream(Request(question, mode=mode, dates=dates)):
                if event.kind == "standalone" and event.text != " ".join(question.split()):
                    click.echo(click.style(f"(understood as: {event.text})", dim=True))
                elif event.kind == "token":
                    draft.add(event.text)
                elif event.kind == "answer":
                    draft.close()
                    _print_answer(event.answer)
        except QuestionError as exc:
            click.echo(f"Error: {exc}", err=True)
        click.echo()


class _DraftPrinter:
    """Streams the model's draft to stderr, dimmed and labelled: it is not yet verified, and the
    verified answer printed after it replaces it."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.started = False

    def add(self, piece: str) -> None:
        if not self.enabled:
            return
        if not self.started:
            click.echo(click.style("draft (checking…): ", dim=True), nl=False, err=True)
            self.started = True
        click.echo(click.style(piece, dim=True), nl=False, err=True)

    def close(self) -> None:
        if self.enabled and self.started:
            click.echo("\n", err=True)
            self.started = False


def _print_answer(answer) -> None:
    from qa.answer import confidence_label

    label = confidence_label(answer.confidence, answer.refused)
    if answer.short_answer is not None and not answer.refused:
        click.echo(click.style(answer.short_answer.text, bold=True) + f"  ({label})")
    else:
        click.echo(f"({label})")
    click.echo(answer.answer)
    if answer.citations:
        click.echo("\nSources:")
        for c in answer.citations:
            click.echo(f"[{c.n}] {c.title} — {_short(c.source)} (chars {c.start}–{c.end})")
            click.echo(f"    “{c.quote}”")
    elif answer.closest:
        click.echo("\nClosest passages (not strong enough to answer):")
        for p in answer.closest:
            click.echo(f"- {p.title} — {_short(p.source)}: “{p.quote}”")


@main.group("docs")
def docs_group() -> None:
    """List, show and remove indexed documents."""


@docs_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@user_errors
def docs_list(settings, as_json: bool) -> None:
    """List the indexed documents."""
    from index.collection import open_manifest
    from qa.factory import location

    infos = open_manifest(location(settings)).list_documents()
    if as_json:
        rows = [
            {
                "id": i.id,
                "title": i.title,
                "sources": i.sources,
                "url": i.url,
                "published": i.published,
                "chunks": i.chunk_count,
            }
            for i in infos
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not infos:
        click.echo("No documents indexed.")
        return
    for i in infos:
        click.echo(f"{i.id}  {i.chunk_count:>4} chunks  {i.published or '':10}  {i.title}")
        for source in i.sources:
            click.echo(f"{'':18}{_short(source)}")


@docs_group.command("show")
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@user_errors
def docs_show(settings, doc_id: str, as_json: bool) -> None:
    """Show a document's metadata and the exact text citations point into."""
    from index.collection import open_manifest
    from qa.factory import location

    manifest = open_manifest(location(settings))
    info = manifest.info(manifest.resolve_id(doc_id) or doc_id)
    if info is None:
        raise click.ClickException(f"no document with id '{doc_id}' (see `qa docs list`)")
    text = manifest.text(info.id)
    if as_json:
        payload = {
            "id": info.id,
            "source": info.sources[0] if info.sources else None,
            "sources": info.sources,
            "title": info.title,
            "url": info.url,
            "published": info.published,
            "text": text,
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(f"{info.title}\nid: {info.id}")
    for source in info.sources:
        click.echo(f"source: {source}")
    if info.url:
        click.echo(f"url: {info.url}")
    if info.published:
        click.echo(f"published: {info.published}")
    click.echo(f"\n{text}")


@docs_group.command("remove")
@click.argument("doc_id")
@click.pass_obj
@user_errors
def docs_remove(settings, doc_id: str) -> None:
    """Remove a document and its chunks from the collection."""
    from index.collection import open_manifest
    from qa.factory import build_indexer, location

    full_id = open_manifest(location(settings)).resolve_id(doc_id)
    if full_id is None:
        raise click.ClickException(f"no document with id '{doc_id}' (see `qa docs list`)")
    build_indexer(settings).remove(full_id)
    click.echo(f"Removed {full_id}.")


@docs_group.command("check")
@click.option("--repair", is_flag=True, help="Fix what is found; rebuild a damaged vector store.")
@click.pass_obj
@user_errors
def docs_check(settings, repair: bool) -> None:
    """Check that the vector store holds exactly the chunks the manifest lists (after a crash,
    say); exits 1 if they differ and were not repaired.

    \b
    Example:
      qa docs check --repair
    """
    from index.collection import open_collection
    from qa.factory import build_embedder, location

    embedder = build_embedder(settings)  # loads the model only if something must be embedded
    collection = open_collection(location(settings), embedder, repair=repair, thorough=True)
    if not repair:
        found = collection.check()
        click.echo(found.describe())
        if not found.agree:
            click.echo("run `qa docs check --repair` to fix this", err=True)
            raise click.exceptions.Exit(1)
        return
    found = collection.repair()
    click.echo(f"repaired: {found.describe()}" if not found.agree else found.describe())


@docs_group.command("migrate")
@click.option("--to", "target_url", required=True, help="The PostgreSQL catalogue to copy into.")
@click.pass_obj
@user_errors
def docs_migrate(settings, target_url: str) -> None:
    """Copy the SQLite catalogue of the data directory (documents, spans, sources, file hashes)
    into an empty PostgreSQL catalogue; the vectors stay where they are.

    \b
    Example:
      PGPASSWORD=… qa docs migrate --to postgresql://qa@db.example/qa
      QA_CATALOGUE_URL=postgresql://qa@db.example/qa qa ask "…"
    """
    from dataclasses import replace

    from index.catalogue import CatalogueError, is_server_url
    from index.catalogue_copy import copy_catalogue
    from index.collection import open_manifest
    from qa.factory import location

    if not is_server_url(target_url):
        raise CatalogueError("--to takes a postgresql:// URL")
    here = location(settings)
    source = open_manifest(replace(here, catalogue_url=None))
    target = open_manifest(replace(here, catalogue_url=target_url), create=True)
    copied = copy_catalogue(source, target)
    summary = ", ".join(f"{n} {table}" for table, n in copied.items())
    click.echo(f"Copied {summary} into {target.where} (collection '{settings.collection}').")
    click.echo("Use it with QA_CATALOGUE_URL (or --catalogue-url) on every host.")


def _short(source: str) -> str:
    """Sources are absolute paths; show them relative to the working directory when inside it,
    with invisible characters (e.g. a right-to-left override) escaped."""
    from index.documents import display_name, record_source, split_source

    path, record = split_source(source)
    try:
        path = str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        pass
    return display_name(path if record is None else record_source(path, record))
