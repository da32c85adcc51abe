"""Every provider's named formatter pair, derived from its chat model classes.

The reference gives each provider a ``<P>ChatFormatter`` and a ``<P>MultiAgentFormatter``,
``<P>`` being the chat class's name without ``ChatModel`` (``DeepSeekChatModel`` ->
``DeepSeek``); a class named ``<P>Model`` gives ``<P>Formatter`` and
``<P>MultiAgentFormatter`` (``OpenAIResponseModel`` -> ``OpenAIResponseFormatter``).

When the main endpoint's dialect already ships formatters of those names (OpenAI,
Anthropic, Gemini, DashScope, Ollama), the pair is the dialect's own. Otherwise, for a
provider that shares another's dialect (DeepSeek, Moonshot and xAI speak ``openai_chat``,
and so does any spec-only provider), the pair is generated into the provider's module as
subclasses of the dialect's pair, and is that chat class's default formatter.
"""

from __future__ import annotations

from typing import Any

from specwire._core.dialect import ChatDialect

from .contract import dialects
from .load import SpecError
from .spec_model import Model


def formatter_pair(model: Model) -> dict[str, Any] | None:
    """The pair of one chat model class (None for other families)."""
    if model.family.value != "chat":
        return None
    cls = dialects()[model.endpoint.dialect]
    if not issubclass(cls, ChatDialect):  # codegen's contract check has refused this spec
        return None
    name = model.class_name.root
    if name.endswith("ChatModel"):
        prefix, chat = name.removesuffix("ChatModel"), "ChatFormatter"
    else:
        prefix, chat = name.removesuffix("Model"), "Formatter"
    bases = (cls.formatter_class, cls.multi_agent_formatter_class)
    names = (prefix + chat, prefix + "MultiAgentFormatter")
    own = tuple(b.__name__ for b in bases) == names
    return {
        "chat": names[0],
        "multi_agent": names[1],
        "dialect": cls.name,
        "generated": not own,
        "bases": [(b.__module__, b.__name__) for b in bases],
    }


def formatter_registry(providers: list[dict[str, Any]]) -> dict[str, str]:
    """Every formatter name of every provider and the module that defines it; a name two
    pairs would define differently is a ``SpecError``."""
    found: dict[str, str] = {}
    owner: dict[str, str] = {}
    for cls in dialects().values():  # the handwritten pairs, whether a spec uses them or not
        if issubclass(cls, ChatDialect):
            for base in (cls.formatter_class, cls.multi_agent_formatter_class):
                found[base.__name__], owner[base.__name__] = (
                    base.__module__,
                    f"dialect {cls.name!r}",
                )
    for ctx in providers:
        for model in ctx["models"]:
            pair = model.get("formatter")
            if pair is None:
                continue
            for name, (base_module, _) in zip(
                (pair["chat"], pair["multi_agent"]), pair["bases"], strict=True
            ):
                module = (
                    f"specwire._generated.{ctx['provider']}" if pair["generated"] else base_module
                )
                where = f"{ctx['spec_file']} ({model['class_name']})"
                if found.get(name, module) != module:
                    raise SpecError(
                        f"{where}: formatter name {name!r} is also derived by {owner[name]}; "
                        "rename the chat model class"
                    )
                found[name], owner[name] = module, where
    return dict(sorted(found.items()))
