"""Bad input gets a clear error naming what was given and what was expected, before
any request is sent."""

from __future__ import annotations

import os
from typing import Any

import pytest
from pydantic import ValidationError

from specwire._testing import LoopbackServer, Reply
from specwire.credential import (
    AnthropicCredential,
    GeminiCredential,
    OllamaCredential,
    OpenAICredential,
)
from specwire.embedding import OpenAIEmbeddingModel
from specwire.errors import InvalidInputError, SpecwireError
from specwire.message import SystemMsg, UserMsg
from specwire.model import AnthropicChatModel, GeminiChatModel, OpenAIChatModel, OpenAIResponseModel

TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}


async def _refused(messages: Any, **kwargs: Any) -> InvalidInputError:
    async with LoopbackServer([Reply.json({})]) as server:
        model = OpenAIChatModel(
            credential=OpenAICredential(api_key="sk-test", base_url=server.url), model="m"
        )
        with pytest.raises(InvalidInputError) as info:
            await model(messages, **kwargs)
        assert server.requests == [], "nothing may be sent"
    return info.value


@pytest.mark.parametrize(
    ("messages", "named"),
    [
        ("hello", "str 'hello'"),
        ({"role": "user", "content": "hi"}, "dict"),
        (5, "int 5"),
        (["hello"], "messages[0] must be a Msg"),
        ([{"role": "user", "content": "hi"}], "messages[0] must be a Msg"),
        ([UserMsg(name="u", content="hi"), 7], "got int 7"),
        (UserMsg(name="u", content="hi"), "wrap it in a list"),
        ([], "at least one message"),
    ],
)
async def test_messages_that_are_not_a_sequence_of_msg_are_refused(
    messages: Any, named: str
) -> None:
    error = await _refused(messages)
    assert named in str(error)
    assert (
        isinstance(error, TypeError)
        and isinstance(error, ValueError)
        and isinstance(error, SpecwireError)
    )


async def test_tool_choice_naming_a_tool_not_given_is_refused() -> None:
    error = await _refused([UserMsg(name="u", content="hi")], tools=[TOOL], tool_choice="get_time")
    assert "'get_time'" in str(error) and "get_weather" in str(error)


async def test_tool_choice_required_without_tools_is_refused() -> None:
    error = await _refused([UserMsg(name="u", content="hi")], tool_choice="required")
    assert "needs tools" in str(error)


async def test_a_tool_without_a_name_is_refused() -> None:
    error = await _refused(
        [UserMsg(name="u", content="hi")], tools=[{"type": "function", "function": {}}]
    )
    assert "name" in str(error)


def test_a_credential_of_another_provider_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="GeminiCredential belongs to gemini"):
        OpenAIChatModel(credential=GeminiCredential(api_key="gm-key-1234"), model="gpt-4o")
    with pytest.raises(InvalidInputError, match="AnthropicChatModel"):
        AnthropicChatModel(credential=OpenAICredential(api_key="sk-1234"), model="claude")
    with pytest.raises(InvalidInputError, match="OpenAIEmbeddingModel"):
        OpenAIEmbeddingModel(credential=AnthropicCredential(api_key="sk-ant-1234"), model="e")


def test_a_credential_that_is_not_a_credential_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="needs a credential object"):
        OpenAIChatModel(credential="sk-1234", model="gpt-4o")  # type: ignore[arg-type]


def test_models_of_one_provider_share_its_credential() -> None:
    credential = OpenAICredential(api_key="sk-1234")
    OpenAIChatModel(credential=credential, model="gpt-4o")
    OpenAIResponseModel(credential=credential, model="gpt-4o")
    OpenAIEmbeddingModel(credential=credential, model="text-embedding-3-small")


@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_key_is_refused_naming_the_environment_variable(empty: str) -> None:
    with pytest.raises(ValidationError, match=r"api_key is empty.*OPENAI_API_KEY"):
        OpenAICredential(api_key=empty)


def test_a_missing_key_names_the_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    with pytest.raises(
        ValidationError, match=r"api_key is required.*GEMINI_API_KEY or GOOGLE_API_KEY"
    ):
        GeminiCredential()  # type: ignore[call-arg]


def test_the_environment_still_supplies_a_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    assert OpenAICredential().api_key.get_secret_value() == "sk-from-env"  # type: ignore[call-arg]
    assert os.environ["OPENAI_API_KEY"] == "sk-from-env"


def test_an_optional_key_left_empty_is_no_key() -> None:
    assert OllamaCredential(api_key="").api_key is None


@pytest.mark.parametrize("deadline", [0, -1, "soon", True])
def test_a_nonsense_deadline_is_refused(deadline: Any) -> None:
    with pytest.raises(InvalidInputError, match="deadline"):
        OpenAIChatModel(
            credential=OpenAICredential(api_key="sk-1234"), model="m", deadline=deadline
        )


@pytest.mark.parametrize(
    ("model_cls", "credential"),
    [
        (AnthropicChatModel, AnthropicCredential(api_key="sk-ant-1234")),
        (GeminiChatModel, GeminiCredential(api_key="gm-key-1234")),
    ],
)
async def test_only_a_system_prompt_is_refused_where_the_api_needs_a_conversation(
    model_cls: Any, credential: Any
) -> None:
    model = model_cls(credential=credential, model="m")
    with pytest.raises(InvalidInputError, match="besides the system prompt"):
        await model([SystemMsg(name="system", content="Be brief.")])
