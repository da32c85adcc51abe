"""Shared test configuration: offline cassettes with secrets scrubbed."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"

SECRET_HEADERS = ["authorization", "x-api-key", "api-key", "x-goog-api-key", "openai-organization"]
SECRET_QUERY = ["key", "api_key", "apikey"]


def vcr_config() -> dict[str, Any]:
    """Settings every cassette test uses: replay only, secrets dropped on record."""
    return {
        "cassette_library_dir": str(CASSETTES),
        "record_mode": "none",
        "filter_headers": SECRET_HEADERS,
        "filter_query_parameters": SECRET_QUERY,
        "match_on": ["method", "scheme", "host", "port", "path"],
        "decode_compressed_response": True,
    }


def _is_loopback(host: str) -> bool:
    return host.startswith("127.") or host in ("::1", "localhost")


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the internet: only loopback connections are allowed."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        inet = self.family in (socket.AF_INET, socket.AF_INET6)
        if inet and isinstance(host, str) and not _is_loopback(host):
            raise ConnectionRefusedError(f"tests are offline; refused {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
