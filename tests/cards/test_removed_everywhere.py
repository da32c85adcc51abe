"""One rule, one error, every family: a parameter a model's card removes
(``parameter_overrides: {param: null}``, the reference's "Remove the parameter
entirely") is refused with ``UnsupportedParameterError`` when the model is built and
when a call names it, and is never sent.

Chat (generated and the reference's custom provider with a ``_models/`` folder),
embeddings (``dimensions`` on text-embedding-ada-002) and TTS (HTTP and realtime;
Sambert's cards remove ``voice``)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from specwire._cards.loading import clear_caches
from specwire._testing.loopback import LoopbackServer
from specwire.credential import DashScopeCredential, OpenAICredential
from specwire.embedding import OpenAIEmbeddingModel
from specwire.errors import UnsupportedParameterError
from specwire.message import UserMsg
from specwire.tts import DashScopeCosyVoiceRealtimeTTSModel, DashScopeTTSModel
from tests.embedding.helpers import openai_reply
from tests.reference_guide import section_blocks

HELLO = [UserMsg(name="user", content="hi")]


@pytest.fixture
def my_provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The guide's custom chat provider (steps 1 and 2, as written) in a package whose
    ``_models/`` folder holds the guide's step-3 card plus ``temperature: null``."""
    (credential,) = section_blocks("python", "Custom Provider", "Step 1: Define the Credential")
    (model,) = section_blocks("python", "Custom Provider", "Step 2: Implement the Chat Model")
    (card,) = section_blocks(
        "yaml", "Chat Model", "Custom Provider", "Step 3: Add Model Cards (optional)"
    )
    package = tmp_path / "my_chat_provider"
    (package / "_models").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "my_credential.py").write_text(credential)
    # the guide's model module names the credential only in quotes
    (package / "my_model.py").write_text(model)
    (package / "_models" / "my-model-v1.yaml").write_text(card + "\n  temperature: null\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    clear_caches()
    try:
        yield importlib.import_module("my_chat_provider.my_model")
    finally:
        for name in [m for m in sys.modules if m.startswith("my_chat_provider")]:
            del sys.modules[name]
        clear_caches()


def _credential() -> object:
    module = importlib.import_module("my_chat_provider.my_credential")
    return module.MyProviderCredential(api_key="sk-test-not-real")


def test_a_custom_chat_class_with_a_models_folder_refuses_a_removed_parameter(
    my_provider: ModuleType,
) -> None:
    model_cls = my_provider.MyProviderChatModel
    (card,) = model_cls.list_models()
    assert "temperature" not in card.parameter_schema["properties"]
    with pytest.raises(UnsupportedParameterError) as info:
        model_cls(
            credential=_credential(),
            model="my-model-v1",
            parameters=model_cls.Parameters(temperature=0.5),
        )
    assert info.value.parameters == ("temperature",)
    assert info.value.card_file.endswith("_models/my-model-v1.yaml")
    kept = model_cls(
        credential=_credential(), model="my-model-v1", parameters=model_cls.Parameters(max_tokens=9)
    )
    assert kept.parameters.max_tokens == 9
    # another model of the class, without a card, takes it
    model_cls(
        credential=_credential(), model="other", parameters=model_cls.Parameters(temperature=0.5)
    )


async def test_a_custom_chat_call_naming_a_removed_parameter_is_refused(
    my_provider: ModuleType,
) -> None:
    model = my_provider.MyProviderChatModel(credential=_credential(), model="my-model-v1")
    with pytest.raises(UnsupportedParameterError, match="temperature"):
        await model(HELLO, temperature=0.5)
    with pytest.raises(UnsupportedParameterError, match="temperature"):
        await model.generate_structured_output(HELLO, {"type": "object"}, temperature=0.5)


async def test_embeddings_refuse_dimensions_where_the_card_removes_it() -> None:
    async with LoopbackServer(lambda r: openai_reply(r)) as server:
        cred = OpenAICredential(api_key="k", base_url=server.url)
        with pytest.raises(UnsupportedParameterError) as info:
            OpenAIEmbeddingModel(
                credential=cred,
                model="text-embedding-ada-002",
                parameters=OpenAIEmbeddingModel.Parameters(dimensions=1536),
            )
        assert info.value.card_file.endswith("text-embedding-ada-002.yaml")
        ada = OpenAIEmbeddingModel(credential=cred, model="text-embedding-ada-002")
        with pytest.raises(UnsupportedParameterError):
            await ada(["a"], dimensions=256)
        assert server.requests == []  # refused before anything was sent
        await ada(["a"])
        await ada.aclose()
    assert "dimensions" not in server.requests[0].json()  # nor the class default 512


def test_realtime_tts_refuses_a_voice_for_sambert() -> None:
    cred = DashScopeCredential(api_key="sk-test-not-real")
    params = DashScopeCosyVoiceRealtimeTTSModel.Parameters(voice="longanyang")
    with pytest.raises(UnsupportedParameterError) as info:
        DashScopeCosyVoiceRealtimeTTSModel(
            credential=cred, model="sambert-zhichu-v1", parameters=params
        )
    assert "'sambert-zhichu-v1'" in str(info.value) and info.value.parameters == ("voice",)
    assert info.value.card_file.endswith("sambert-zhichu-v1.yaml")
    DashScopeCosyVoiceRealtimeTTSModel(
        credential=cred, model="cosyvoice-v3-plus", parameters=params
    )
    DashScopeCosyVoiceRealtimeTTSModel(credential=cred, model="sambert-zhichu-v1")


MY_TTS = '''
from specwire.tts import DashScopeTTSModel


class MyQwenTTS(DashScopeTTSModel):
    """DashScope's HTTP TTS with this folder's _models/ cards, and a language default."""

    class Parameters(DashScopeTTSModel.Parameters):
        language_type: str | None = "English"
'''

QWEN_CARD = """
name: qwen3-tts-flash
label: Qwen3-TTS-Flash
voices: [Cherry, Serena]
parameter_overrides:
  instructions: null
  language_type: null
"""


@pytest.fixture
def my_tts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[type[DashScopeTTSModel]]:
    package = tmp_path / "my_tts_cards"
    (package / "_models").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(MY_TTS)
    (package / "_models" / "qwen3-tts-flash.yaml").write_text(QWEN_CARD)
    monkeypatch.syspath_prepend(str(tmp_path))
    clear_caches()
    try:
        yield importlib.import_module("my_tts_cards.models").MyQwenTTS
    finally:
        for name in [m for m in sys.modules if m.startswith("my_tts_cards")]:
            del sys.modules[name]
        clear_caches()


async def test_http_tts_refuses_removed_parameters_and_never_sends_their_defaults(
    my_tts: type[DashScopeTTSModel],
) -> None:
    from specwire._testing.tts_server import HTTPTTSLoopback

    async with HTTPTTSLoopback() as server:
        cred = DashScopeCredential(api_key="sk-test-not-real", base_url=server.base_url)
        with pytest.raises(UnsupportedParameterError, match="instructions"):
            my_tts(
                credential=cred,
                model="qwen3-tts-flash",
                parameters=my_tts.Parameters(instructions="cheerful"),
            )
        tts = my_tts(credential=cred, model="qwen3-tts-flash", stream=False)
        with pytest.raises(UnsupportedParameterError, match="instructions"):
            await tts.synthesize("Hello", instructions="cheerful")
        assert server.requests == []
        await tts.synthesize("Hello")
        await tts.aclose()
        uncarded = my_tts(credential=cred, model="qwen3-tts-other", stream=False)
        await uncarded.synthesize("Hello")
        await uncarded.aclose()
    sent, control = (r.json()["input"] for r in server.requests if r.method == "POST")
    assert sent["voice"] == "Cherry"
    assert "language_type" not in sent  # removed: not even the class default is sent
    assert control["language_type"] == "English"  # a model without that card sends it
