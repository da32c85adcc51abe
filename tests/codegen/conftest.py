"""One full regeneration per test session, shared by the tests that only read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegen.render import generate
from tests.conftest import ROOT


@pytest.fixture(scope="session")
def fresh_generation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``generate(spec/)`` into a session folder; its ``specwire/_generated`` is returned."""
    out = tmp_path_factory.mktemp("generated")
    generate(ROOT / "spec", out)
    return out / "specwire" / "_generated"
