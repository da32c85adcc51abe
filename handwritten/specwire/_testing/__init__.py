"""Offline servers for tests, the demo and the benchmark (loopback only)."""

from .loopback import LoopbackServer, Reply, sse_body

__all__ = ["LoopbackServer", "Reply", "sse_body"]
