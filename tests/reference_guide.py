"""The reference guide's code blocks, read from the file beside the project (never
copied), by the heading of the section they sit under, with ``agentscope`` renamed."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest


def _find_reference() -> Path:
    # beside the checkout (/work/main -> /work/shared) or beside a worktree's parent
    # (/work/wt/<name> -> /work/shared): the nearest ancestor holding shared/reference
    here = Path(__file__).resolve().parent
    for folder in here.parents:
        candidate = folder / "shared" / "reference"
        if candidate.is_dir():
            return candidate
    return here.parent.parent / "shared" / "reference"


REFERENCE = _find_reference()


def guide_blocks(language: str) -> list[tuple[tuple[str, ...], str]]:
    """Every ``language`` block of the current guide (001_*) with the headings above it
    (outermost first)."""
    files = sorted(REFERENCE.glob("001_*.txt"))
    if not files:
        pytest.skip(f"reference guide not found under {REFERENCE}")
    headings: list[str] = []
    found: list[tuple[tuple[str, ...], str]] = []
    fence: str | None = None  # the language of the fenced block we are in ("" for none)
    block: list[str] = []
    for line in files[0].read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if fence is None:
            heading = re.match(r"(#+) (.*)", line)
            if heading:
                level = len(heading.group(1))
                headings = [*headings[: level - 1], heading.group(2).strip()]
            elif stripped.startswith("```"):
                fence, block = stripped[3:].split(" ", 1)[0], []
        elif stripped == "```":
            if fence == language:
                code = textwrap.dedent("\n".join(block)).replace("agentscope", "specwire")
                found.append((tuple(h for h in headings if h), code))
            fence = None
        else:
            block.append(line)
    return found


def section_blocks(language: str, *path: str) -> list[str]:
    """The ``language`` blocks under the headings ``path`` (each a heading's title, in
    order; gaps allowed, e.g. ``("TTS", "Custom TTS Provider")``)."""

    def under(headings: tuple[str, ...]) -> bool:
        remaining = iter(headings)
        return all(any(h == want for h in remaining) for want in path)

    blocks = [code for headings, code in guide_blocks(language) if under(headings)]
    if not blocks:
        raise AssertionError(f"no {language} block under {' > '.join(path)} in the guide")
    return blocks
