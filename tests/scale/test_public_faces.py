"""``specwire.batch`` and ``specwire.ratelimit`` export what the README shows, and
importing them stays light (no numpy, no redis client until used)."""

from __future__ import annotations

import subprocess
import sys


def test_the_public_names() -> None:
    import specwire.batch as batch
    import specwire.ratelimit as ratelimit

    assert sorted(batch.__all__) == [
        "Batch",
        "BatchError",
        "BatchJob",
        "BatchNotSupportedError",
        "BatchProgress",
        "BatchRequest",
        "BatchResult",
    ]
    assert sorted(ratelimit.__all__) == [
        "InProcessRateLimiter",
        "RateLimiter",
        "RateLimits",
        "RedisRateLimiter",
        "default_limiter",
    ]
    for module in (batch, ratelimit):
        for name in module.__all__:
            assert getattr(module, name) is not None


def test_importing_them_loads_no_numpy_or_redis() -> None:
    code = (
        "import sys, specwire.ratelimit, specwire.batch;"
        "print(sorted(m for m in ('numpy', 'redis', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
