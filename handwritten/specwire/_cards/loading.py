"""Finding, reading and building a model class's cards.

Where the cards of ``model_cls`` come from, first match wins:

1. ``custom_yaml_dir`` given: every ``*.yaml``/``*.yml`` in it, read now.
2. A ``_models/`` folder beside the module that defines the class (the reference's
   custom-provider layout), unless the class itself sets ``cards_dir``.
3. ``cards_dir`` compiled by codegen (the shipped cards): plain Python data in
   ``specwire._generated.cards``, validated at regeneration; no YAML is parsed.
4. ``cards_dir`` as a folder: absolute, beside the module, or under ``spec/``.

YAML read at run time is validated here: a bad card raises :class:`CardError` with its
file and field. Compiled cards were validated against the union of the ``Parameters`` of
every class sharing their folder (e.g. OpenAI chat completions and responses), so an
override for a field one class lacks is skipped for that class, not an error.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from .card import CARD_TYPES, AnyCard, RealtimeModelCard, TTSModelCard
from .errors import CardError
from .schema import (
    OverrideError,
    check_json_schema,
    check_override_names,
    merge_overrides,
    parameters_base_schema,
)

Family = Literal["chat", "embedding", "tts", "realtime"]
CUSTOM_FOLDER = "_models"


def spec_root() -> Path:
    """The spec folder: inside the package in a wheel, beside the sources in a checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_spec"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "spec"


# -------------------------------------------------------------------- reading
def read_card_file(path: Path, display: str | None = None) -> dict[str, Any]:
    """The raw data of one YAML card (a mapping), or :class:`CardError`."""
    import yaml  # only custom and uncompiled cards need it

    shown = display or str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise CardError(shown, where, f"not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CardError(shown, "(top level)", "expected a mapping of card fields")
    return data


def card_files(folder: Path) -> list[Path]:
    """The YAML cards in ``folder``, sorted by file name."""
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


# ------------------------------------------------------------------- building
def build_card(
    data: Mapping[str, Any],
    family: Family,
    parameters_cls: type[BaseModel] | None,
    file: str,
    *,
    owner: str = "Parameters",
    strict: bool = True,
    check_schema: bool = True,
) -> AnyCard:
    """A card from its raw data, with ``parameter_schema`` merged from
    ``parameters_cls``. ``strict``: an override naming an unknown parameter, or looser
    than the API-wide field, is an error; otherwise it is skipped or fitted to this class
    (for folders shared by classes whose APIs differ; see ``merge_overrides``)."""
    card_type = CARD_TYPES[family]
    fields = {k: v for k, v in data.items() if k != "parameter_schema"}
    if "parameter_schema" in data:
        raise CardError(
            file,
            "parameter_schema",
            "is computed from the Parameters class; use parameter_overrides",
        )
    try:
        card = card_type.model_validate(fields)
    except ValidationError as exc:
        raise _card_error(file, exc) from None
    base = _base_schema(parameters_cls)
    overrides = card.parameters_overrides
    try:
        if strict:
            check_override_names(overrides, set(base["properties"]), owner)
        else:
            overrides = {k: v for k, v in overrides.items() if k in base["properties"]}
        voices = card.voices if isinstance(card, TTSModelCard | RealtimeModelCard) else None
        schema = merge_overrides(base, overrides, voices, adapt=not strict)
        if check_schema:
            check_json_schema(schema)
    except OverrideError as exc:
        raise CardError(file, exc.field, exc.message) from None
    card.parameter_schema = schema
    return card


def _card_error(file: str, exc: ValidationError) -> CardError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(top level)"
    message = first["msg"]
    shown = repr(first.get("input"))
    if first["type"] not in ("missing", "extra_forbidden") and first["loc"] and len(shown) <= 80:
        message += f" (got {shown})"  # a field's own value, not the whole card
    if first["type"] == "extra_forbidden":
        message = "unknown card field"
    more = len(exc.errors()) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return CardError(file, field, message)


@functools.lru_cache(maxsize=256)
def _base_schema_cached(parameters_cls: type[BaseModel] | None) -> dict[str, Any]:
    return parameters_base_schema(parameters_cls)


def _base_schema(parameters_cls: type[BaseModel] | None) -> dict[str, Any]:
    return _base_schema_cached(parameters_cls)  # merge_overrides copies; never mutated


def parameters_of(model_cls: type[Any]) -> type[BaseModel] | None:
    """The ``Parameters`` class of a model class, if it has one."""
    params = getattr(model_cls, "Parameters", None)
    return params if isinstance(params, type) and issubclass(params, BaseModel) else None


# ------------------------------------------------------------------- locating
def _module_folder(model_cls: type[Any]) -> Path | None:
    module = sys.modules.get(model_cls.__module__)
    module_file = getattr(module, "__file__", None)
    return Path(module_file).resolve().parent if module_file else None


def _compiled_module(cards_dir: str) -> Any | None:
    try:
        index = importlib.import_module("specwire._generated.cards")
    except ImportError:  # generated code predates compiled cards
        return None
    name = index.CARD_MODULES.get(cards_dir.strip("/"))
    return None if name is None else importlib.import_module(name)


def _card_source(model_cls: type[Any]) -> Any | Path | None:
    """Where ``model_cls``'s cards live: a compiled module, a YAML folder, or nowhere."""
    folder = _module_folder(model_cls)
    own_dir = "cards_dir" in vars(model_cls)
    if folder is not None and not own_dir and (folder / CUSTOM_FOLDER).is_dir():
        return folder / CUSTOM_FOLDER
    cards_dir: str | None = getattr(model_cls, "cards_dir", None)
    if not cards_dir:
        return None
    compiled = _compiled_module(cards_dir)
    if compiled is not None:
        return compiled
    candidates = [Path(cards_dir)] if Path(cards_dir).is_absolute() else []
    if folder is not None:
        candidates.append(folder / cards_dir)
    candidates.append(spec_root() / cards_dir)
    return next((c for c in candidates if c.is_dir()), None)


def _owner(model_cls: type[Any]) -> str:
    return f"{model_cls.__name__}.Parameters"


# -------------------------------------------------------------------- listing
def list_cards(
    model_cls: type[Any], family: Family, custom_yaml_dir: str | Path | None = None
) -> list[Any]:
    """The cards of ``model_cls`` (see the module docs for where they come from), each
    with its merged ``parameter_schema``. Returns fresh objects the caller may change."""
    if custom_yaml_dir is not None:
        folder = Path(custom_yaml_dir)
        if not folder.is_dir():
            raise CardError(str(folder), "custom_yaml_dir", "is not a folder")
        return _read_folder(model_cls, family, folder)
    return [card.model_copy(deep=True) for card in _default_cards(model_cls, family)]


def card_named(model_cls: type[Any], family: Family, name: str) -> AnyCard | None:
    """The card of ``model_cls`` named ``name`` (the cached object: read, never change)."""
    return next((c for c in _default_cards(model_cls, family) if c.name == name), None)


# Per class: shipped cards never change while the process runs. A class with a _models/
# folder is cached too; pass custom_yaml_dir to re-read a folder.
_CARDS: dict[tuple[type[Any], str], tuple[AnyCard, ...]] = {}
_REMOVED: dict[type[Any], dict[str, tuple[frozenset[str], str]]] = {}
_PRICES: dict[type[Any], dict[str, dict[str, Any]]] = {}


def _default_cards(model_cls: type[Any], family: Family) -> tuple[AnyCard, ...]:
    cached = _CARDS.get((model_cls, family))
    if cached is None:
        source = _card_source(model_cls)
        if source is None:
            cached = ()
        elif isinstance(source, Path):
            cached = tuple(_read_folder(model_cls, family, source))
        else:
            cached = tuple(_from_compiled(model_cls, family, source))
        _CARDS[(model_cls, family)] = cached
    return cached


def _from_compiled(model_cls: type[Any], family: Family, module: Any) -> list[AnyCard]:
    if family != module.FAMILY:
        raise CardError(module.FOLDER, "(folder)", f"holds {module.FAMILY} cards, not {family}")
    params = parameters_of(model_cls)
    return [
        build_card(
            data,
            family,
            params,
            f"{module.FOLDER}/{file}",
            owner=_owner(model_cls),
            strict=False,  # validated at regeneration against every class of the folder
            check_schema=False,
        )
        for file, data in module.CARDS.items()
    ]


def _read_folder(model_cls: type[Any], family: Family, folder: Path) -> list[AnyCard]:
    params = parameters_of(model_cls)
    cards: list[AnyCard] = []
    seen: dict[str, str] = {}
    for path in card_files(folder):
        card = build_card(read_card_file(path), family, params, str(path), owner=_owner(model_cls))
        if card.name in seen:
            raise CardError(
                str(path), "name", f"{card.name!r} is also the name in {seen[card.name]}"
            )
        seen[card.name] = str(path)
        cards.append(card)
    return cards


# ------------------------------------------------------------ removed fields
def removed_parameters(model_cls: type[Any], model_name: str) -> tuple[frozenset[str], str]:
    """The parameters ``model_name``'s card removes for ``model_cls``, and the card's
    file; empty when the class has no card for that name."""
    index = _REMOVED.get(model_cls)
    if index is None:
        index = _REMOVED[model_cls] = _removed_index(model_cls)
    return index.get(model_name, (frozenset(), ""))


def _removed_index(model_cls: type[Any]) -> dict[str, tuple[frozenset[str], str]]:
    # Reads only the raw overrides (no schema merging): this runs when a model is built.
    params = parameters_of(model_cls)
    fields = set(params.model_fields) if params is not None else set()
    records = _raw_records(model_cls)
    index: dict[str, tuple[frozenset[str], str]] = {}
    for file, data in records:
        overrides = data.get("parameter_overrides") or data.get("parameters_overrides") or {}
        removed = frozenset(k for k, v in overrides.items() if v is None and k in fields)
        index[str(data.get("name"))] = (removed, file)
    return index


def card_prices(model_cls: type[Any], model_name: str) -> dict[str, Any] | None:
    """The ``prices`` mapping of ``model_name``'s card for ``model_cls`` (raw, as the
    card was validated at regeneration), or None."""
    index = _PRICES.get(model_cls)
    if index is None:
        index = _PRICES[model_cls] = {
            str(data.get("name")): data["prices"]
            for _, data in _raw_records(model_cls)
            if isinstance(data.get("prices"), dict)
        }
    return index.get(model_name)


def _raw_records(model_cls: type[Any]) -> list[tuple[str, Mapping[str, Any]]]:
    source = _card_source(model_cls)
    if isinstance(source, Path):
        return [(str(p), read_card_file(p)) for p in card_files(source)]
    if source is not None:
        return [(f"{source.FOLDER}/{f}", d) for f, d in source.CARDS.items()]
    return []


def clear_caches() -> None:
    """Forget cached cards (for tests that write ``_models/`` folders)."""
    _CARDS.clear()
    _REMOVED.clear()
    _PRICES.clear()
    _base_schema_cached.cache_clear()
