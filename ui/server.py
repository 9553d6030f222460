"""Start the app with safe defaults: no public share link, uploads capped, the data directory
never served, a bounded queue."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ui.uploads import MAX_UPLOAD_MB

if TYPE_CHECKING:
    import gradio as gr

    from qa.settings import Settings
    from ui.backend import Backend

QUEUE_SIZE = 64  # waiting requests beyond this are turned away instead of piling up


def launch_options(
    host: str,
    port: int,
    auth: tuple[str, str] | None,
    data_dir: Path,
    max_upload_mb: int = MAX_UPLOAD_MB,
) -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch`."""
    from ui.style import CSS

    return {
        "server_name": host,
        "server_port": port,
        "share": False,  # explicit: GRADIO_SHARE=true in the environment must not open a tunnel
        "auth": auth,
        "auth_message": "Log in with the user and password from QA_AUTH." if auth else None,
        "max_file_size": max_upload_mb * 2**20,
        # Gradio serves only its upload cache and allowed_paths; blocking the data directory
        # also covers a data directory placed inside one of those.
        "blocked_paths": [str(data_dir.resolve())],
        "ssr_mode": False,
        "mcp_server": False,
        "pwa": False,
        "enable_monitoring": False,
        "show_error": False,  # unexpected errors show a generic message, not their text
        "css": CSS,
    }


def start_app(
    settings: Settings,
    host: str,
    port: int,
    auth: tuple[str, str] | None,
    max_upload_mb: int = MAX_UPLOAD_MB,
    backend: Backend | None = None,
    block: bool = True,
) -> gr.Blocks:
    """Build the backend and the app, and serve it (until interrupted, when `block`)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    # After every event Gradio's queue summarises its last 10,000 events with pandas (1 ms a
    # request at first, 9 ms once that many have been served) for a monitoring page this app
    # does not serve (enable_monitoring=False): keep one event and never summarise.
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1")
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(2**62))
    from ui.app import build_app
    from ui.backend import Backend

    if backend is None:
        backend = Backend(settings)
        backend.start()
    app = build_app(backend, max_upload_mb)
    app.queue(default_concurrency_limit=settings.serve_concurrency, max_size=QUEUE_SIZE)
    app.launch(
        **launch_options(host, port, auth, settings.data_dir, max_upload_mb),
        prevent_thread_lock=not block,
    )
    return app
