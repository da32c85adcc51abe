"""Every provider ships a ChatFormatter and a MultiAgentFormatter (the reference's
"Formatter" section), named after its chat class, generated from the specs for a
provider that shares another's dialect, so a spec-only provider has its pair too."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

import specwire.formatter as formatter_face
from codegen.load import SpecError
from codegen.render import generate, render
from specwire._generated.registry import PROVIDERS
from specwire._testing import LoopbackServer, Reply
from specwire.credential import DeepSeekCredential
from specwire.formatter import (
    DeepSeekChatFormatter,
    DeepSeekMultiAgentFormatter,
    FormatterBase,
    MoonshotChatFormatter,
    MoonshotMultiAgentFormatter,
    OpenAIChatFormatter,
    OpenAIMultiAgentFormatter,
    XAIChatFormatter,
    XAIMultiAgentFormatter,
)
from specwire.message import AssistantMsg, UserMsg
from specwire.model import DashScopeChatModel, DeepSeekChatModel, MoonshotChatModel
from tests.codegen.test_codegen import ACME_SPEC, _spec_copy
from tests.reference_guide import section_blocks


def pair_names(chat_class: str) -> tuple[str, str]:
    """The reference's naming: <P>ChatFormatter / <P>MultiAgentFormatter."""
    if chat_class.endswith("ChatModel"):
        prefix = chat_class.removesuffix("ChatModel")
        return prefix + "ChatFormatter", prefix + "MultiAgentFormatter"
    prefix = chat_class.removesuffix("Model")
    return prefix + "Formatter", prefix + "MultiAgentFormatter"


def test_every_provider_in_the_specs_has_its_pair() -> None:
    for provider in PROVIDERS.values():
        for chat_class in provider["chat"]:  # type: ignore[attr-defined]
            for name in pair_names(chat_class):
                cls = getattr(formatter_face, name)
                assert isinstance(cls, type) and issubclass(cls, FormatterBase), name
                assert name in formatter_face.__all__


def test_the_shared_dialects_pairs_under_each_providers_name() -> None:
    for chat, multi in (
        (DeepSeekChatFormatter, DeepSeekMultiAgentFormatter),
        (MoonshotChatFormatter, MoonshotMultiAgentFormatter),
        (XAIChatFormatter, XAIMultiAgentFormatter),
    ):
        assert issubclass(chat, OpenAIChatFormatter) and issubclass(
            multi, OpenAIMultiAgentFormatter
        )
        assert not issubclass(chat, OpenAIMultiAgentFormatter)


def test_a_providers_own_pair_is_its_chat_models_default() -> None:
    deepseek = DeepSeekChatModel(
        credential=DeepSeekCredential(api_key="sk-test"), model="deepseek-chat"
    )
    assert type(deepseek.formatter) is DeepSeekChatFormatter
    moonshot_cls = MoonshotChatModel
    assert moonshot_cls.chat_formatter is MoonshotChatFormatter
    # a provider whose dialect ships the pair keeps the dialect's (no generated alias)
    assert DashScopeChatModel.chat_formatter is None


async def test_the_references_formatter_example_with_each_providers_multi_agent_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (example,) = section_blocks("python", "Chat Model", "Formatter")
    history = [
        UserMsg(name="Alice", content="I think it will rain."),
        AssistantMsg(name="Bob", content="I disagree."),
        UserMsg(name="Carol", content="Who is right?"),
    ]
    for provider in ("DeepSeek", "Moonshot", "XAI"):
        events = [{"choices": [{"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"}]}]
        async with LoopbackServer([Reply.sse(events)]) as server:
            # the guide's example with the provider's names in place of OpenAI's
            code = example.replace("OpenAI", provider).replace("gpt-4.1", "some-model")
            env_var = f"{provider.upper()}_API_KEY"
            monkeypatch.setenv(env_var, "sk-test")
            code = code.replace('"OPENAI_API_KEY"', repr(env_var))
            scope: dict[str, Any] = {}
            exec(compile(code, "<reference example>", "exec"), scope)
            model = scope["model"]
            assert type(model.formatter).__name__ == f"{provider}MultiAgentFormatter"
            model.credential.base_url = server.url + "/v1"  # read when a call is sent
            stream = await model(history)
            [c async for c in stream]
            await model.aclose()
            sent = server.requests[0].json()["messages"]
        assert len(sent) == 1 and sent[0]["role"] == "user", provider
        text = (
            sent[0]["content"]
            if isinstance(sent[0]["content"], str)
            else sent[0]["content"][0]["text"]
        )
        assert (
            "<history>" in text
            and "Alice: I think it will rain." in text
            and "Bob: I disagree." in text
        )


def test_a_spec_only_provider_gets_its_named_pair(tmp_path: Path) -> None:
    spec_dir = _spec_copy(tmp_path)
    (spec_dir / "providers" / "acme.yaml").write_text(ACME_SPEC)
    generate(spec_dir, tmp_path / "out")
    generated = tmp_path / "out" / "specwire" / "_generated"
    registry = (generated / "registry.py").read_text()
    assert '"AcmeChatFormatter": "specwire._generated.acme"' in registry
    assert '"AcmeMultiAgentFormatter": "specwire._generated.acme"' in registry
    source = generated / "acme.py"
    spec = importlib.util.spec_from_file_location("specwire._generated.acme", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["specwire._generated.acme"] = module
    try:
        spec.loader.exec_module(module)
        assert issubclass(module.AcmeChatFormatter, OpenAIChatFormatter)
        assert issubclass(module.AcmeMultiAgentFormatter, OpenAIMultiAgentFormatter)
        cred = module.AcmeCredential(api_key="acme-secret")
        model = module.AcmeChatModel(credential=cred, model="acme-1")
        assert type(model.formatter) is module.AcmeChatFormatter
    finally:
        sys.modules.pop("specwire._generated.acme", None)


def test_a_derived_name_taken_by_another_dialect_is_refused(tmp_path: Path) -> None:
    spec_dir = _spec_copy(tmp_path)
    clash = ACME_SPEC.replace("class_name: AcmeChatModel", "class_name: GeminiChatModel")
    (spec_dir / "providers" / "acme.yaml").write_text(clash)
    with pytest.raises(
        SpecError, match=r"acme\.yaml \(GeminiChatModel\): formatter name 'GeminiChatFormatter'"
    ):
        render(spec_dir)


def test_the_face_imports_no_provider_module_before_a_name_is_used() -> None:
    code = (
        "import sys, specwire.formatter as f; "
        "assert 'specwire._generated.deepseek' not in sys.modules; "
        "f.DeepSeekChatFormatter; "
        "assert 'specwire._generated.deepseek' in sys.modules"
    )
    import subprocess

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
