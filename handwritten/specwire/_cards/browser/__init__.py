"""The static card browser: one self-contained HTML page (styles, script and the card
catalog inlined), so it opens from disk with no server and no network."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import specwire

_ASSETS = ("index.html", "browser.css", "browser.js")


def _asset(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def render_card_browser(catalog: dict[str, Any]) -> str:
    """The page's HTML for ``catalog`` (see ``catalog.browser_data``)."""
    page, style, script = (_asset(name) for name in _ASSETS)
    # "</" would end the <script> element early; JSON allows the escaped form.
    data = json.dumps(catalog, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    replacements = {
        "/*__STYLE__*/": style,
        "/*__SCRIPT__*/": script,
        "__CATALOG__": data,
        "__VERSION__": specwire.__version__,
    }
    missing = [marker for marker in replacements if marker not in page]
    if missing:
        raise RuntimeError(f"card browser template lacks {missing}")
    # one pass over the template: inserted text is never searched for markers again
    pattern = "|".join(re.escape(marker) for marker in replacements)
    return re.sub(pattern, lambda match: replacements[match.group(0)], page)


def write_card_browser(out_dir: Path, catalog: dict[str, Any]) -> Path:
    """Write ``out_dir/index.html`` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / "index.html"
    page.write_text(render_card_browser(catalog), encoding="utf-8")
    return page
