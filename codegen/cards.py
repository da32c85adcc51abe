"""Model cards: the YAML folders the specs name are validated and compiled into plain
Python data under ``specwire/_generated/cards/``, so ``list_models()`` parses no YAML.

Validation uses the runtime's own card code (``specwire._cards``), so a card that passes
here builds at run time. Each card is checked against the ``Parameters`` class of every
model class that names its folder (OpenAI chat completions and responses share one), so
an override must name a parameter at least one of them has, must only narrow it, and
the merged schema must be valid JSON Schema. Errors name the card file and the field.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, cast

import jinja2
from pydantic import BaseModel

# The runtime's own card code validates here, so a card that compiles also loads.
from specwire._cards import loading
from specwire._cards.errors import CardError
from specwire._cards.loading import Family
from specwire._cards.schema import OverrideError, check_override_names

from .load import SpecError

PACKAGE = Path("specwire") / "_generated" / "cards"


def pyliteral(value: Any) -> str:
    """A Python literal for JSON data: keys sorted, lists kept as lists."""
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{pyliteral(k)}: {pyliteral(v)}" for k, v in sorted(value.items()))
            + "}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(pyliteral(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    raise TypeError(f"not JSON data: {value!r}")


def module_name(folder: str) -> str:
    """``cards/openai/chat`` -> ``openai_chat``."""
    relative = folder.strip("/").removeprefix("cards/")
    name = re.sub(r"[^0-9A-Za-z_]", "_", relative)
    return name if name[:1].isalpha() else f"cards_{name}"


def _parameters_class(model: dict[str, Any]) -> Any:
    """The generated ``Parameters`` class of one model, built from its source."""
    from typing import Annotated, Literal

    from pydantic import BaseModel, ConfigDict, Field, SecretStr

    namespace: dict[str, Any] = {
        "__name__": f"codegen_cards_{model['class_name']}",
        "Annotated": Annotated,
        "Any": Any,
        "Literal": Literal,
        "BaseModel": BaseModel,
        "ConfigDict": ConfigDict,
        "Field": Field,
        "SecretStr": SecretStr,
    }
    # dont_inherit: this module's `from __future__ import annotations` would turn the
    # class's annotations into strings pydantic cannot resolve outside a real module.
    code = compile(model["params_code"], f"<{model['params_class']}>", "exec", dont_inherit=True)
    exec(code, namespace)  # generator output, rendered just before
    return namespace[model["params_class"]]


def _folders(providers: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by_folder: dict[str, list[dict[str, Any]]] = {}
    for provider in providers:
        for model in provider["models"]:
            if model["cards"]:
                by_folder.setdefault(model["cards"].strip("/"), []).append(model)
    return dict(sorted(by_folder.items()))


def compile_folder(
    spec_dir: Path, folder: str, family: Family, classes: list[tuple[str, type[BaseModel]]]
) -> dict[str, Any]:
    """The validated cards of one folder, as the template's context. ``classes``: the
    name and ``Parameters`` class of every model class that names the folder."""
    users = ", ".join(name for name, _ in classes)
    path = spec_dir / folder
    if not path.is_dir():
        raise SpecError(f"spec/{folder}: card folder named by {users} does not exist")
    cards: dict[str, Any] = {}
    seen: dict[str, str] = {}
    for card_path in loading.card_files(path):
        shown = f"spec/{folder}/{card_path.name}"
        try:
            data = loading.read_card_file(card_path, shown)
            card = _check_card(data, family, classes, shown)
        except CardError as exc:
            raise SpecError(str(exc)) from None
        if card.name in seen:
            raise SpecError(f"{shown}: name: {card.name!r} is also the name in {seen[card.name]}")
        seen[card.name] = shown
        try:
            cards[card_path.name] = json.loads(json.dumps(data))
        except TypeError as exc:
            raise SpecError(f"{shown}: holds a value that is not JSON data: {exc}") from None
    return {"folder": f"spec/{folder}", "family": family, "classes": users, "cards": cards}


def _check_card(
    data: dict[str, Any],
    family: Family,
    classes: list[tuple[str, type[BaseModel]]],
    shown: str,
) -> Any:
    """A card must be exactly right (strict) for at least one class of its folder, and
    fit (adapted) every other one; an override must name a parameter one of them has."""
    overrides = data.get("parameter_overrides") or {}
    if isinstance(overrides, dict):
        names = set().union(*(set(cls.model_fields) for _, cls in classes))
        owner = " / ".join(f"{n}.Parameters" for n, _ in classes)
        try:
            check_override_names(overrides, names, owner)
        except OverrideError as exc:
            raise CardError(shown, exc.field, exc.message) from None
    failures: list[tuple[str, CardError]] = []
    for class_name, cls in classes:
        own = overrides
        if isinstance(overrides, dict):
            own = {k: v for k, v in overrides.items() if k in cls.model_fields}
        try:
            card = loading.build_card(
                {**data, "parameter_overrides": own},
                family,
                cls,
                shown,
                owner=f"{class_name}.Parameters",
                strict=True,
            )
        except CardError as exc:
            failures.append((class_name, exc))
    if len(failures) == len(classes):
        if len(classes) == 1:
            raise failures[0][1]
        reasons = "; ".join(f"for {n}.Parameters: {e.field}: {e.message}" for n, e in failures)
        raise CardError(shown, failures[0][1].field, f"fits none of its classes: {reasons}")
    for class_name, cls in classes:
        try:
            card = loading.build_card(
                data, family, cls, shown, owner=f"{class_name}.Parameters", strict=False
            )
        except CardError as exc:
            raise CardError(
                shown, exc.field, f"for {class_name}.Parameters: {exc.message}"
            ) from None
    return card


def render_cards(
    env: jinja2.Environment, spec_dir: Path, providers: list[dict[str, Any]]
) -> dict[Path, str]:
    """The compiled card modules and their index, keyed by path under the output root."""
    env.filters["pyliteral"] = pyliteral
    files: dict[Path, str] = {}
    index: dict[str, str] = {}
    for folder, models in _folders(providers).items():
        name = module_name(folder)
        if f"specwire._generated.cards.{name}" in index.values():
            raise SpecError(f"spec/{folder}: its module name {name!r} collides with another folder")
        index[folder] = f"specwire._generated.cards.{name}"
        families = sorted({m["family"] for m in models})
        if len(families) != 1:
            users = ", ".join(m["class_name"] for m in models)
            raise SpecError(f"spec/{folder}: one card folder serves one family; {users} differ")
        classes = [(m["class_name"], _parameters_class(m)) for m in models]
        family = cast(Family, families[0])
        context = compile_folder(spec_dir, folder, family, classes)
        files[PACKAGE / f"{name}.py"] = env.get_template(
            "specwire/_generated/cards/folder.py.jinja"
        ).render(c=context)
    files[PACKAGE / "__init__.py"] = env.get_template(
        "specwire/_generated/cards/__init__.py.jinja"
    ).render(index=index)
    return files
