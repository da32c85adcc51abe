"""Fields a caller adds to a request: unknown call keywords and ``extra_body``.

Keywords go where the dialect keeps its parameters (``Dialect.extra_location``: DashScope's
``parameters``, Gemini's ``generationConfig``, Ollama's ``options``, the top level for
OpenAI); ``extra_body`` is rooted at the body itself. Both deep-merge into the body
specwire built and never overwrite it: mappings merge key by key, lists are extended
(a server tool next to the function tools), an equal value is fine, and a different value
for a field specwire set is refused with its path.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


def merge_extra(
    body: dict[str, Any],
    *,
    keywords: Mapping[str, Any],
    extra_body: Mapping[str, Any],
    location: tuple[str, ...] = (),
) -> None:
    """Merge ``keywords`` at ``location`` (keys; ``name[]`` is each element of a list)
    and ``extra_body`` at the root into ``body``, in place."""
    if keywords:
        for path, target in _targets(body, location):
            _merge(target, keywords, path)
    if extra_body:
        _merge(body, extra_body, "")


def _targets(body: dict[str, Any], location: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    places: list[tuple[str, dict[str, Any]]] = [("", body)]
    for key in location:
        each = key.endswith("[]")
        name = key[:-2] if each else key
        found: list[tuple[str, dict[str, Any]]] = []
        for path, place in places:
            where = f"{path}.{name}".lstrip(".")
            child = place.get(name)
            if each:
                items = child if isinstance(child, list) else []
                found += [(f"{where}[{i}]", x) for i, x in enumerate(items) if isinstance(x, dict)]
                continue
            if child is None:
                child = place[name] = {}
            elif isinstance(child, dict):
                child = place[name] = dict(child)  # never write into a shared spec mapping
            else:
                raise ValueError(f"extra keywords go into {where}, which is not an object")
            found.append((where, child))
        places = found
    return places


def _merge(target: dict[str, Any], extra: Mapping[str, Any], path: str) -> None:
    for key, value in extra.items():
        where = f"{path}.{key}".lstrip(".")
        if key not in target or target[key] is None:
            target[key] = copy.deepcopy(value)
            continue
        built = target[key]
        if isinstance(built, dict) and isinstance(value, Mapping):
            target[key] = built = dict(built)  # copied: it may be a spec's fixed mapping
            _merge(built, value, where)
        elif isinstance(built, list) and isinstance(value, list):
            target[key] = built + copy.deepcopy(value)
        elif built != value:
            raise ValueError(
                f"extra field {where}={value!r} would overwrite {built!r}, which specwire "
                "built from the call; set it through Parameters or the call's own arguments"
            )
