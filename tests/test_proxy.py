"""The README's deployment behind a real nginx: two `qa serve` processes (own data directories,
one `chroma run`, one PostgreSQL catalogue) behind Debian's nginx running deploy/nginx-qa.conf,
the file the README shows. A chat question and its follow-up go through the proxy the way the
browser sends them (join Gradio's queue, read its event stream), and the API answers too."""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest

from harness.servers import free_port, start_nginx, stop
from tests.processes import ROOT, Host, deployment

pytestmark = pytest.mark.integration
SITE = ROOT / "deploy" / "nginx-qa.conf"


@pytest.fixture
def proxy(tmp_path, chroma_server, postgres_url):
    """(the proxy's URL, its access log, the two hosts), with the harbour article indexed."""
    shared = deployment(chroma_server, postgres_url)
    hosts = [Host("host-a", tmp_path, shared), Host("host-b", tmp_path, shared)]
    article = tmp_path / "harbour.txt"
    article.write_text(
        "Harbour news\n\nThe harbour of Tallinn reopened on Monday after two years of repairs, "
        "the port authority said. The repairs cost 40 million euros.\n"
    )
    indexed = hosts[0].qa("index", str(article))
    assert indexed.returncode == 0, indexed.stderr
    nginx = None
    try:
        for host in hosts:
            host.start()
        port = free_port()
        site = SITE.read_text().replace("127.0.0.1:8080", f"127.0.0.1:{port}")
        for default, host in zip(("127.0.0.1:7861", "127.0.0.1:7862"), hosts, strict=True):
            site = site.replace(default, host.url.removeprefix("http://").rstrip("/"))
        nginx, access_log = start_nginx(site, tmp_path / "nginx")
        url = f"http://127.0.0.1:{port}/"
        _wait_until_up(url, nginx)
        yield url, access_log, hosts
    finally:
        if nginx is not None:
            stop(nginx)
        for host in hosts:
            host.stop()


def test_a_chat_and_its_follow_up_through_nginx(proxy):
    url, access_log, hosts = proxy
    browser = Browser(url)
    first = browser.ask("Which harbour reopened after two years of repairs?")
    assert "Tallinn" in first and "qa-cite" in first, first[-2000:]
    follow_up = browser.ask("How much did the repairs cost?")
    # Answered in the same conversation: the process kept the first turn.
    assert "Which harbour reopened" in follow_up and "40 million" in follow_up, follow_up[-2000:]

    # Every request of this browser went to one app process.
    upstreams = set(re.findall(r"upstream=(\S+)", access_log.read_text()))
    assert len(upstreams) == 1 and upstreams <= {h.url[7:].rstrip("/") for h in hosts}, upstreams

    from gradio_client import Client

    answer = Client(url, verbose=False).predict(
        "Which harbour reopened after two years of repairs?", api_name="/ask"
    )
    assert not answer["refused"]
    assert any("Tallinn" in c["quote"] for c in answer["citations"])


def test_the_readme_shows_the_configuration_the_test_runs():
    readme = (ROOT / "README.md").read_text()
    assert SITE.read_text().strip() in readme


class Browser:
    """One browser tab of the chat: Gradio's session hash, and the chat's Ask event called as
    the page calls it (POST queue/join, then the event stream of queue/data)."""

    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, timeout=60)
        self.session_hash = uuid.uuid4().hex[:11]
        config = self.http.get("config").raise_for_status().json()
        components = {c["id"]: c for c in config["components"]}
        [self.ask_button] = [
            i for i, c in components.items() if c.get("props", {}).get("elem_id") == "qa-ask"
        ]
        [self.event] = [
            d for d in config["dependencies"] if [self.ask_button, "click"] in d["targets"]
        ]
        # The page sends every input's current value; a gr.State's lives in the server.
        self.defaults = [components[i].get("props", {}).get("value") for i in self.event["inputs"]]

    def ask(self, question: str) -> str:
        """The conversation's HTML once the answer is complete."""
        data = [question, *self.defaults[1:]]
        joined = self.http.post(
            "gradio_api/queue/join",
            json={
                "data": data,
                "fn_index": self.event["id"],
                "trigger_id": self.ask_button,
                "session_hash": self.session_hash,
                "event_data": None,
            },
        ).raise_for_status()
        event_id = joined.json()["event_id"]
        return self._outputs(event_id)[0]

    def _outputs(self, event_id: str) -> list:
        from gradio_client.utils import apply_diff

        outputs: list | None = None
        params = {"session_hash": self.session_hash}
        with self.http.stream("GET", "gradio_api/queue/data", params=params) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("event_id") != event_id:
                    continue
                if message["msg"] == "process_generating":
                    data = message["output"]["data"]
                    outputs = (
                        list(data)
                        if outputs is None
                        else [apply_diff(o, d) for o, d in zip(outputs, data, strict=True)]
                    )
                elif message["msg"] == "process_completed":
                    assert message.get("success"), message
                    assert outputs is not None, message
                    return outputs
        raise AssertionError("the event stream ended before the answer was complete")


def _wait_until_up(url: str, nginx) -> None:
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert nginx.poll() is None, "nginx exited: see its error.log"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"nginx did not answer at {url}")
