"""generate_structured_output: forced tool call, validation, repair, fallbacks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from specwire._testing import LoopbackServer, ReceivedRequest, Reply
from specwire.credential import OpenAICredential
from specwire.errors import StructuredOutputError
from specwire.message import UserMsg
from specwire.model import OpenAIChatModel, StructuredResponse


class WeatherInfo(BaseModel):
    city: str
    temperature: float
    unit: str


def tool_answer(arguments: str) -> Reply:
    return Reply.json(
        {
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": "c",
                                "type": "function",
                                "function": {
                                    "name": "generate_structured_output",
                                    "arguments": arguments,
                                },
                            }
                        ],
                    },
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5},
        }
    )


def model_for(server: LoopbackServer, stream: bool = False) -> OpenAIChatModel:
    credential = OpenAICredential(api_key="k", base_url=server.url)
    return OpenAIChatModel(credential=credential, model="m", stream=stream, max_retries=0)


def streaming_model_for(server: LoopbackServer) -> OpenAIChatModel:
    return model_for(server, stream=True)


ASK = [UserMsg(name="user", content="What's the weather in Shanghai?")]


async def test_forced_tool_call_is_validated_into_a_dict() -> None:
    async with LoopbackServer(
        [tool_answer('{"city": "Shanghai", "temperature": 21.5, "unit": "C"}')]
    ) as server:
        result = await model_for(server).generate_structured_output(ASK, WeatherInfo)
        body = server.requests[0].json()
    assert isinstance(result, StructuredResponse)
    assert result.content == {"city": "Shanghai", "temperature": 21.5, "unit": "C"}
    assert body["tool_choice"] == {
        "type": "function",
        "function": {"name": "generate_structured_output"},
    }
    assert body["tools"][0]["function"]["parameters"]["required"] == ["city", "temperature", "unit"]


async def test_streaming_model_streams_structured_output_to_its_final_chunk() -> None:
    events = [
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "c",
                                "type": "function",
                                "function": {
                                    "name": "generate_structured_output",
                                    "arguments": '{"city": "Shanghai", ',
                                },
                            }
                        ]
                    },
                }
            ]
        },
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "function": {"arguments": '"temperature": 9, "unit": "C"}'},
                            }
                        ]
                    },
                }
            ]
        },
    ]
    async with LoopbackServer([Reply.sse(events)]) as server:
        result = await streaming_model_for(server).generate_structured_output(ASK, WeatherInfo)
        assert server.requests[0].json()["stream"] is True
    assert result.content == {"city": "Shanghai", "temperature": 9.0, "unit": "C"}


@pytest.mark.parametrize(
    "broken",
    [
        '{"city": "Shanghai", "temperature": 21.5, "unit": "C",}',
        '```json\n{"city": "Shanghai", "temperature": 21.5, "unit": "C"}\n```',
        '{"city": "Shanghai", "temperature": 21.5, "unit": "C"',
        "{'city': 'Shanghai', 'temperature': 21.5, 'unit': 'C'}",
    ],
)
async def test_malformed_json_is_repaired(broken: str) -> None:
    async with LoopbackServer([tool_answer(broken)]) as server:
        result = await model_for(server).generate_structured_output(ASK, WeatherInfo)
    assert result.content["city"] == "Shanghai"


async def test_refused_forced_tool_choice_falls_back_to_auto() -> None:
    def answer(request: ReceivedRequest) -> Reply:
        if isinstance(request.json().get("tool_choice"), dict):
            return Reply.json(
                {
                    "error": {
                        "message": "tool_choice is not supported with thinking",
                        "type": "invalid_request_error",
                    }
                },
                status=400,
            )
        return tool_answer(json.dumps({"city": "Shanghai", "temperature": 3, "unit": "C"}))

    async with LoopbackServer(answer) as server:
        result = await model_for(server).generate_structured_output(ASK, WeatherInfo)
        choices = [r.json().get("tool_choice") for r in server.requests]
    assert result.content["temperature"] == 3.0
    assert choices == [
        {"type": "function", "function": {"name": "generate_structured_output"}},
        "auto",
    ]


async def test_json_schema_dict_is_accepted_and_text_answers_are_used_last() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"answer": {"type": "integer"}},
        "required": ["answer"],
    }
    text = Reply.json(
        {
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": 'Sure: {"answer": 42}'}}
            ]
        }
    )
    async with LoopbackServer([text]) as server:
        result = await model_for(server).generate_structured_output(ASK, schema)
    assert result.content == {"answer": 42}


async def test_invalid_output_everywhere_raises() -> None:
    async with LoopbackServer([tool_answer('{"city": 5}')]) as server:
        with pytest.raises(StructuredOutputError):
            await model_for(server).generate_structured_output(ASK, WeatherInfo)
