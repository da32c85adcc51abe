"""The public surface: each public module exports exactly the intended names, every one
resolves, and a user-defined provider written as in the reference works."""

from __future__ import annotations

import importlib
from collections.abc import AsyncGenerator
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, SecretStr

# The hand-written public names; every provider's credential and model classes are added
# from the generated registry (a new spec adds its names with no edit here).
HANDWRITTEN = {
    "specwire.model": [
        "ChatModelBase",
        "ChatResponse",
        "ChatUsage",
        "ModelCard",
        "StructuredResponse",
    ],
    "specwire.credential": [
        "CredentialBase",
        "credential_from_json",
        "credential_to_json",
        "register_credential",
    ],
    "specwire.message": [
        "AssistantMsg",
        "Base64Source",
        "ContentBlock",
        "DataBlock",
        "Msg",
        "SystemMsg",
        "TextBlock",
        "ThinkingBlock",
        "ToolCallBlock",
        "ToolResultBlock",
        "URLSource",
        "UserMsg",
    ],
    "specwire.formatter": [
        "AnthropicChatFormatter",
        "AnthropicMultiAgentFormatter",
        "DashScopeChatFormatter",
        "DashScopeMultiAgentFormatter",
        "FormatterBase",
        "GeminiChatFormatter",
        "GeminiMultiAgentFormatter",
        "OllamaChatFormatter",
        "OllamaMultiAgentFormatter",
        "OpenAIChatFormatter",
        "OpenAIMultiAgentFormatter",
        "OpenAIResponseFormatter",
        "OpenAIResponseMultiAgentFormatter",
    ],
    "specwire.tool": ["ToolChoice", "tool_schema"],
    "specwire.errors": [
        "APIConnectionError",
        "APITimeoutError",
        "AuthenticationError",
        "BadRequestError",
        "CardError",
        "ContentFilterError",
        "EmbeddingBatchError",
        "EmbeddingInputError",
        "IncompleteStreamError",
        "InvalidInputError",
        "NotFoundError",
        "PermissionDeniedError",
        "ProviderError",
        "RateLimitError",
        "ResponseFormatError",
        "ServerError",
        "SpecwireError",
        "StreamBrokenError",
        "StructuredOutputError",
        "ToolArgumentsError",
        "UnsupportedParameterError",
    ],
    "specwire.embedding": [
        "Embedding",
        "EmbeddingBatchError",
        "EmbeddingCacheBase",
        "EmbeddingInputError",
        "EmbeddingModelBase",
        "EmbeddingModelCard",
        "EmbeddingResponse",
        "EmbeddingUsage",
        "FileEmbeddingCache",
        "RedisEmbeddingCache",
    ],
    "specwire.realtime": [
        "AudioDelta",
        "ErrorEvent",
        "FinishReason",
        "InputTranscript",
        "RateLimitsUpdated",
        "RealtimeEvent",
        "RealtimeModelBase",
        "RealtimeModelCard",
        "RealtimeSession",
        "Reconnected",
        "ResponseDone",
        "SessionClosedError",
        "SessionConfig",
        "SessionReady",
        "SpeechStarted",
        "SpeechStopped",
        "TextDelta",
        "ToolCall",
        "ToolCallCancelled",
        "TranscriptDelta",
    ],
    "specwire.tts": [
        "TTSModelBase",
        "TTSModelCard",
        "TTSResponse",
        "TTSUsage",
    ],
}


def _public() -> dict[str, list[str]]:
    from specwire._generated.registry import PROVIDERS

    public = {module: list(names) for module, names in HANDWRITTEN.items()}
    for entry in PROVIDERS.values():
        public["specwire.credential"].append(str(entry["credential"]))
        for family, module in (
            ("chat", "specwire.model"),
            ("embedding", "specwire.embedding"),
            ("tts", "specwire.tts"),
            ("realtime", "specwire.realtime"),
        ):
            public[module] += [str(name) for name in entry[family]]  # type: ignore[attr-defined]
        # every provider's formatter pair, named after its chat class (the reference's
        # <P>ChatFormatter / <P>MultiAgentFormatter; a <P>Model class gives <P>Formatter)
        for chat in entry["chat"]:  # type: ignore[attr-defined]
            name = str(chat)
            if name.endswith("ChatModel"):
                prefix, chat_formatter = name.removesuffix("ChatModel"), "ChatFormatter"
            else:
                prefix, chat_formatter = name.removesuffix("Model"), "Formatter"
            for formatter in (prefix + chat_formatter, prefix + "MultiAgentFormatter"):
                if formatter not in public["specwire.formatter"]:
                    public["specwire.formatter"].append(formatter)
    return public


PUBLIC = _public()


def test_the_shipped_providers_are_public() -> None:
    # a floor, so that deriving names from the registry cannot hide a lost provider
    for name in ("OpenAIChatModel", "AnthropicChatModel", "GeminiChatModel", "DashScopeTTSModel"):
        assert any(name in names for names in PUBLIC.values()), name


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_public_names_are_exactly_the_intended_ones(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert sorted(module.__all__) == sorted(PUBLIC[module_name])
    for name in module.__all__:
        assert getattr(module, name) is not None
    with pytest.raises(AttributeError):
        module.NoSuchName  # noqa: B018


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_dir_and_pydoc_show_the_public_names(module_name: str) -> None:
    import pydoc

    module = importlib.import_module(module_name)
    listed = dir(module)
    assert set(PUBLIC[module_name]) <= set(listed)
    assert not {"TYPE_CHECKING", "lazy_getattr", "lazy_dir"} & set(listed)
    text = pydoc.render_doc(module, renderer=pydoc.plaintext)
    # classes under CLASSES, functions under FUNCTIONS, type aliases under DATA
    shown = ("class {}(", "    {}(", " {} = ")
    missing = [n for n in PUBLIC[module_name] if not any(f.format(n) in text for f in shown)]
    assert not missing, f"pydoc {module_name} does not show {missing}"


def test_generated_docstrings_come_from_the_spec() -> None:
    import pydoc

    from specwire.credential import OpenAICredential
    from specwire.model import OpenAIChatModel

    text = pydoc.render_doc(OpenAIChatModel.Parameters, renderer=pydoc.plaintext)
    # every field's title, description and range, from spec/providers/openai.yaml
    for expected in (
        "temperature (number, 0 to 2): Temperature. Sampling temperature; higher is more random.",
        "max_tokens (integer, > 0): Max output tokens.",
        "stop (array of string, at most 4 items): Stop sequences.",
        "reasoning_effort (string, one of 'none', 'minimal'",
    ):
        assert expected in text, expected
    doc = OpenAIChatModel.__doc__ or ""
    assert "Provider: OpenAI (``openai``)" in doc
    assert "POST ``{base_url}/chat/completions``" in doc
    assert "temperature (number, 0 to 2)" in doc
    cred_doc = OpenAICredential.__doc__ or ""
    assert "api_key (secret, env OPENAI_API_KEY)" in cred_doc


def test_every_error_is_a_specwire_error() -> None:
    errors = importlib.import_module("specwire.errors")
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.SpecwireError), name


def test_every_credential_links_its_model_families() -> None:
    credential = importlib.import_module("specwire.credential")
    model = importlib.import_module("specwire.model")
    for name in credential.__all__:
        cls = getattr(credential, name)
        if name == "CredentialBase" or not isinstance(cls, type):
            continue
        chat = cls.get_chat_model_class()
        assert chat is not None and chat.__name__ in model.__all__, name
        assert cls.list_models(), f"{name} has no chat cards"


async def test_custom_provider_as_in_the_reference() -> None:
    from specwire._testing import LoopbackServer, Reply
    from specwire.credential import CredentialBase
    from specwire.formatter import FormatterBase, OpenAIChatFormatter
    from specwire.message import Msg, TextBlock, UserMsg
    from specwire.model import ChatModelBase, ChatResponse
    from specwire.tool import ToolChoice

    class MyProviderCredential(CredentialBase):
        model_config = ConfigDict(title="My Provider API")
        type: Literal["my_provider_credential"] = "my_provider_credential"
        api_key: SecretStr = Field(description="API key for My Provider.")
        base_url: str = Field(default="https://api.myprovider.com/v1")

        @classmethod
        def get_chat_model_class(cls) -> Any:
            return MyProviderChatModel

    class MyProviderChatModel(ChatModelBase):
        class Parameters(BaseModel):
            max_tokens: int | None = Field(default=None, gt=0)
            temperature: float | None = Field(default=None, ge=0, le=2)

        type: Literal["my_provider_chat"] = "my_provider_chat"  # type: ignore[assignment]

        def __init__(
            self,
            credential: MyProviderCredential,
            model: str,
            parameters: Parameters | None = None,
            stream: bool = True,
            max_retries: int = 3,
            context_size: int = 128000,
            formatter: FormatterBase | None = None,
        ) -> None:
            super().__init__(
                credential=credential,
                model=model,
                parameters=parameters or self.Parameters(),
                stream=stream,
                max_retries=max_retries,
                context_size=context_size,
            )
            self.formatter = formatter or OpenAIChatFormatter()

        async def _call_api(
            self,
            model_name: str,
            messages: list[Msg],
            tools: list[dict[str, Any]] | None = None,
            tool_choice: ToolChoice | None = None,
            **kwargs: Any,
        ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
            import httpx

            formatted = await self.formatter.format(messages)
            assert isinstance(self.credential, MyProviderCredential)
            async with httpx.AsyncClient() as client:
                reply = await client.post(
                    self.credential.base_url + "/echo",
                    json={"model": model_name, "messages": formatted},
                )
            return ChatResponse(content=[TextBlock(text=reply.json()["text"])])

    async with LoopbackServer([Reply.json({"text": "echo: hi"})]) as server:
        cred = MyProviderCredential(api_key=SecretStr("sk-my-secret"), base_url=server.url)
        model = MyProviderCredential.get_chat_model_class()(
            credential=cred, model="my-model-v1", stream=False
        )
        response = await model([UserMsg(name="user", content="hi")])
        assert server.requests[0].json()["messages"] == [{"role": "user", "content": "hi"}]
    assert isinstance(response, ChatResponse) and response.content[0].text == "echo: hi"  # type: ignore[union-attr]
    assert "sk-my-secret" not in repr(cred)
    assert MyProviderChatModel.list_models() == []  # no _models/ folder beside this test
