"""What a user's type checker sees: checked by ``mypy --strict`` against the editable
install and the wheel (tests/packaging/test_typing.py). Not run."""

from collections.abc import AsyncGenerator
from typing import assert_type, reveal_type

from pydantic import SecretStr

from specwire.credential import CredentialBase, DashScopeCredential, OpenAICredential
from specwire.embedding import OpenAIEmbeddingModel
from specwire.message import AssistantMsg, Msg, SystemMsg, TextBlock, UserMsg
from specwire.model import (
    AnthropicChatModel,
    ChatModelBase,
    ChatResponse,
    ChatUsage,
    DashScopeChatModel,
    OpenAIChatModel,
    OpenAIResponseModel,
    StructuredResponse,
)

reveal_type(OpenAIChatModel)
reveal_type(OpenAIResponseModel)
reveal_type(AnthropicChatModel)
reveal_type(DashScopeChatModel)
reveal_type(OpenAICredential)
reveal_type(OpenAIEmbeddingModel)
reveal_type(OpenAIChatModel.Parameters)

credential = OpenAICredential(api_key="sk-plain-string")
assert_type(credential.api_key, SecretStr)
from_env = DashScopeCredential()  # api_key may come from DASHSCOPE_API_KEY
assert_type(from_env, DashScopeCredential)
model = OpenAIChatModel(credential=credential, model="gpt-4.1-mini", stream=False)
assert_type(model, OpenAIChatModel)
base: ChatModelBase = model
generic: CredentialBase = credential

messages: list[Msg] = [
    SystemMsg(name="system", content="Be brief."),
    UserMsg(name="user", content="Hello"),
    AssistantMsg(name="assistant", content=[TextBlock(text="Hi")]),
    UserMsg(name="user", content=[{"type": "text", "text": "again"}]),
]


async def probes() -> None:
    streamed = await model(messages, stream=True)
    assert_type(streamed, AsyncGenerator[ChatResponse, None])
    async for chunk in streamed:
        assert_type(chunk.is_last, bool)
        assert_type(chunk.usage, ChatUsage | None)
    whole = await model(messages, stream=False)
    assert_type(whole, ChatResponse)
    either = await model(messages)
    assert_type(either, ChatResponse | AsyncGenerator[ChatResponse, None])
    structured = await model.generate_structured_output(messages, {"type": "object"})
    assert_type(structured, StructuredResponse)
