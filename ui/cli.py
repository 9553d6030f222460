"""`qa serve`: the web app. Gradio is imported only when the command runs, so `qa --help` stays
fast."""

from __future__ import annotations

import os

import click

from qa.cli import user_errors
from ui.security import AUTH_ENV, check_binding, parse_auth
from ui.uploads import MAX_UPLOAD_MB


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help=f"Address to listen on. Anything but loopback needs a login: {AUTH_ENV}=user:password.",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=7860,
    envvar="QA_PORT",
    show_default=True,
    help="Port to listen on (env QA_PORT).",
)
@click.option(
    "--max-upload-mb",
    type=click.IntRange(1, 512),
    default=MAX_UPLOAD_MB,
    show_default=True,
    help="Largest file the browser may upload.",
)
@click.pass_obj
@user_errors
def serve_command(settings, host: str, port: int, max_upload_mb: int) -> None:
    """Start the web app: ask questions, click a citation to see the passage, manage documents.

    \b
    Example:
      qa serve                      (then open http://127.0.0.1:7860)
      QA_AUTH='me:secret' qa serve --host 0.0.0.0 --port 8080
    """
    auth = parse_auth(os.environ.get(AUTH_ENV))
    check_binding(host, auth)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from ui.server import start_app

    try:
        start_app(settings, host, port, auth, max_upload_mb)
    except OSError as exc:  # Gradio's message names its own settings, not ours
        raise click.ClickException(
            f"cannot listen on {host}:{port}: the port is in use or the address is not "
            "available here (choose another with --port or QA_PORT)"
        ) from exc
