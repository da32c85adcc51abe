"""``specwire.embedding`` exports exactly the intended names, lazily."""

from __future__ import annotations

import subprocess
import sys

import specwire.embedding as embedding

# The hand-written names; every provider's embedding classes come from the generated
# registry (a new spec adds its names with no edit here).
HANDWRITTEN = [
    "Embedding",
    "EmbeddingBatchError",
    "EmbeddingCacheBase",
    "EmbeddingInputError",
    "EmbeddingModelBase",
    "EmbeddingModelCard",
    "EmbeddingResponse",
    "EmbeddingUsage",
    "FileEmbeddingCache",
    "RedisEmbeddingCache",
]


def _expected() -> list[str]:
    from specwire._generated.registry import PROVIDERS

    generated = [str(n) for entry in PROVIDERS.values() for n in entry["embedding"]]  # type: ignore[attr-defined]
    return sorted(HANDWRITTEN + generated)


EXPECTED = _expected()


def test_all_is_pinned_and_every_name_resolves() -> None:
    # a floor, so that deriving names from the registry cannot hide a lost provider
    for shipped in ("OpenAIEmbeddingModel", "DashScopeEmbeddingModel", "GeminiEmbeddingModel"):
        assert shipped in EXPECTED
    assert sorted(embedding.__all__) == EXPECTED
    for name in EXPECTED:
        assert getattr(embedding, name).__name__ == name


def test_import_is_lazy() -> None:
    code = (
        "import sys, specwire.embedding\n"
        "heavy = [m for m in ('numpy', 'redis', 'httpx') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_type_checkers_see_every_public_name() -> None:
    from pathlib import Path

    source = Path(embedding.__file__).read_text()
    missing = [name for name in EXPECTED if f"{name} as {name}" not in source]
    assert missing == [], f"add `from ... import {missing[0]} as {missing[0]}` under TYPE_CHECKING"


def test_errors_are_public_in_specwire_errors_too() -> None:
    from specwire import errors

    assert errors.EmbeddingBatchError is embedding.EmbeddingBatchError
    assert errors.EmbeddingInputError is embedding.EmbeddingInputError
    assert issubclass(errors.EmbeddingBatchError, errors.ProviderError)
    assert issubclass(errors.EmbeddingInputError, ValueError)
