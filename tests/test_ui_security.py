"""Who may reach `qa serve`: loopback by default; anything else only with a login."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from qa.cli import main
from ui.security import ServeConfigError, check_binding, is_loopback, parse_auth
from ui.server import launch_options


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_hosts(host):
    assert is_loopback(host)
    check_binding(host, None)  # no login needed


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "example.com", ""])
def test_other_hosts_need_a_login(host):
    assert not is_loopback(host)
    with pytest.raises(ServeConfigError, match="QA_AUTH"):
        check_binding(host, None)
    check_binding(host, ("me", "secret"))


def test_auth_is_user_colon_password():
    assert parse_auth(None) is None and parse_auth("  ") is None
    assert parse_auth("me:se:cret") == ("me", "se:cret")
    for bad in ("me", ":secret", "me:"):
        with pytest.raises(ServeConfigError):
            parse_auth(bad)


@pytest.fixture
def started(monkeypatch):
    """`qa serve` up to the point where it would start the server."""
    calls = []
    monkeypatch.setattr(
        "ui.server.start_app", lambda settings, *args, **kwargs: calls.append((settings, args))
    )
    return calls


def test_serve_refuses_a_public_address_without_a_login(started):
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: refusing to listen on 0.0.0.0 without a login")
    assert len(result.output.strip().splitlines()) == 1 and started == []


def test_serve_with_a_login_may_listen_publicly(started, monkeypatch):
    monkeypatch.setenv("QA_AUTH", "me:secret")
    monkeypatch.setenv("QA_PORT", "8123")
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    settings, args = started[0]
    assert args[:3] == ("0.0.0.0", 8123, ("me", "secret"))


def test_serve_defaults_to_loopback_without_a_login(started, isolated_data_dir):
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0, result.output
    settings, args = started[0]
    assert args[:3] == ("127.0.0.1", 7860, None) and settings.data_dir == isolated_data_dir


def test_a_malformed_login_is_one_line(started, monkeypatch):
    monkeypatch.setenv("QA_AUTH", "nopassword")
    result = CliRunner().invoke(main, ["serve"])
    assert (
        result.exit_code == 1 and result.output == "Error: QA_AUTH must look like user:password\n"
    )


def test_launch_options_never_share_and_block_the_data_directory(tmp_path):
    options = launch_options("127.0.0.1", 7000, None, tmp_path / "data", max_upload_mb=5)
    assert options["share"] is False and options["mcp_server"] is False
    assert options["max_file_size"] == 5 * 2**20
    assert options["blocked_paths"] == [str((tmp_path / "data").resolve())]
    assert "allowed_paths" not in options


def test_help_lists_serve_without_importing_gradio():
    code = (
        "import sys; from click.testing import CliRunner; from qa.cli import main; "
        "out = CliRunner().invoke(main, ['--help']).output; "
        "assert 'serve' in out, out; print('gradio' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_port_in_use_is_one_line(monkeypatch):
    def busy(*args, **kwargs):
        raise OSError("Cannot find empty port in range: 7860-7860. You can specify ...")

    monkeypatch.setattr("ui.server.start_app", busy)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot listen on 127.0.0.1:7860: the port is in use")
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20"])
def test_qa_serve_on_a_public_address_without_a_login_exits_with_one_line(host, tmp_path):
    """The real command, as a user runs it: it stops before any server starts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QA_", "GRADIO_"))}
    env.update(QA_DATA_DIR=str(tmp_path / "data"), QA_AUTH=" ")
    code = "from qa.cli import main; main(prog_name='qa')"
    result = subprocess.run(
        [sys.executable, "-c", code, "serve", "--host", host, "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"Error: refusing to listen on {host} without a login: set QA_AUTH=user:password "
        "(or use --host 127.0.0.1)\n"
    )
    assert not (tmp_path / "data").exists()
