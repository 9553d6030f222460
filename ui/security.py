"""Who may reach the app: loopback only, unless a login is configured."""

from __future__ import annotations

import ipaddress

from index.errors import UserError

AUTH_ENV = "QA_AUTH"


class ServeConfigError(UserError, ValueError):
    """The server must not start as configured; the message is one line."""


def is_loopback(host: str) -> bool:
    """Whether `host` only accepts connections from this machine."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # any other name may resolve to a reachable address


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """`user:password` (the password may contain ':') as a pair; unset or empty means none."""
    if value is None or not value.strip():
        return None
    user, sep, password = value.partition(":")
    if not sep or not user.strip() or not password:
        raise ServeConfigError(f"{AUTH_ENV} must look like user:password")
    return user.strip(), password


def check_binding(host: str, auth: tuple[str, str] | None) -> None:
    """Refuse to listen beyond this machine without a login."""
    if not is_loopback(host) and auth is None:
        raise ServeConfigError(
            f"refusing to listen on {host} without a login: set {AUTH_ENV}=user:password "
            "(or use --host 127.0.0.1)"
        )
