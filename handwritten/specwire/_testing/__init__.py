"""Offline servers for tests, the demo and the benchmark (loopback only)."""

from .loopback import LoopbackServer, ReceivedRequest, Reply, sse_body

__all__ = ["LoopbackServer", "ReceivedRequest", "Reply", "sse_body"]
