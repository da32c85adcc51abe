"""Embedding models: the base (batching, caching, bounded concurrency, retries), the
spec-driven engine, one wire module per format, and the caches. Public names live in
``specwire.embedding``."""
