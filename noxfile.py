"""Developer sessions: regenerate, tests, lint, typecheck, bench."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.default_venv_backend = "venv"

PYTHON = "3.11"
TYPED = ["handwritten", "codegen", "generated"]


@nox.session(python=PYTHON)
def regenerate(session: nox.Session) -> None:
    """Rewrite generated/ from spec/ (deterministic; ruff-formatted)."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "codegen", *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite (offline)."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "pytest", "-q", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and format check."""
    session.install("ruff")
    session.run("ruff", "check", "handwritten", "codegen", "generated", "tests", "noxfile.py", "bench")
    session.run("ruff", "format", "--check", "handwritten", "codegen", "generated")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on handwritten/, codegen/ and generated/."""
    session.install("-e", ".[dev]")
    session.run("mypy", "--strict", *TYPED)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Loopback benchmarks, each against a baseline in the same run."""
    session.install("-e", ".[dev]")
    session.run("python", "bench/run.py", *session.posargs)
