"""Tool calls as data: ``ToolCallBlock.parsed_input()``.

The reference keeps ``input`` as the arguments' JSON text; its earlier ``ToolUseBlock``
held ``input={"query": "AgentScope?"}`` as a dict. ``parsed_input()`` gives that dict
back, and refuses arguments that are not a JSON object with an error naming the call.
"""

from __future__ import annotations

import pytest

from specwire._testing import LoopbackServer, Reply
from specwire.credential import OpenAICredential
from specwire.errors import SpecwireError, ToolArgumentsError
from specwire.message import ToolCallBlock, UserMsg
from specwire.model import ChatResponse, OpenAIChatModel
from tests.chat.openai_wire import answer_stream_bytes, whole_json


def test_the_earlier_apis_dict_comes_back_from_the_json_text() -> None:
    block = ToolCallBlock(id="642n298gjna", name="google_search", input='{"query": "AgentScope?"}')
    assert block.parsed_input() == {"query": "AgentScope?"}
    assert block.input == '{"query": "AgentScope?"}'  # the text stays as the reference says
    first = block.parsed_input()
    first["query"] = "changed"
    assert block.parsed_input() == {"query": "AgentScope?"}  # a fresh dict each time


def test_a_call_without_arguments_is_an_empty_dict() -> None:
    assert ToolCallBlock(id="c", name="now").parsed_input() == {}
    assert ToolCallBlock(id="c", name="now", input="  ").parsed_input() == {}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"query": "Agent', "not valid JSON"),
        ('["AgentScope?"]', "a JSON array, not an object"),
        ('"AgentScope?"', "a JSON string, not an object"),
        ("null", "a JSON null, not an object"),
    ],
)
def test_arguments_that_are_not_an_object_raise_a_clear_error(text: str, problem: str) -> None:
    block = ToolCallBlock(id="642n298gjna", name="google_search", input=text)
    with pytest.raises(ToolArgumentsError) as info:
        block.parsed_input()
    message = str(info.value)
    assert problem in message and "'google_search'" in message and "'642n298gjna'" in message
    assert info.value.arguments == text and info.value.tool_call_id == "642n298gjna"
    assert isinstance(info.value, SpecwireError) and isinstance(info.value, ValueError)


def test_long_arguments_are_shortened_in_the_message() -> None:
    text = '{"text": "' + "x" * 500
    with pytest.raises(ToolArgumentsError) as info:
        ToolCallBlock(id="c", name="write", input=text).parsed_input()
    assert len(str(info.value)) < 300 and info.value.arguments == text


async def test_a_real_answers_parallel_calls_parse_streamed_and_whole() -> None:
    async with LoopbackServer(
        [
            Reply(body=answer_stream_bytes(), content_type="text/event-stream"),
            Reply(body=whole_json()),
        ]
    ) as server:
        cred = OpenAICredential(api_key="sk-test-not-real", base_url=server.url + "/v1")
        model = OpenAIChatModel(credential=cred, model="gpt-test")
        stream = await model([UserMsg(name="user", content="weather?")])
        assert not isinstance(stream, ChatResponse)
        final = [c async for c in stream][-1]
        whole = await model([UserMsg(name="user", content="weather?")], stream=False)
        await model.aclose()
    assert isinstance(whole, ChatResponse)
    for response in (final, whole):
        calls = [b for b in response.content if isinstance(b, ToolCallBlock)]
        assert [c.parsed_input() for c in calls] == [{"city": "Paris"}, {"city": "Rome"}]
