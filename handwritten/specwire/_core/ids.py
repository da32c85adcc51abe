"""Identifiers and timestamps for messages, blocks and responses."""

from __future__ import annotations

import datetime
import os


def new_id() -> str:
    """A short random identifier (96 bits, hex)."""
    return os.urandom(12).hex()


def now_iso() -> str:
    """The current UTC time, ISO 8601 with milliseconds."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
