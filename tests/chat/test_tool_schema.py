"""Tools from Python: a function or a pydantic model becomes the tool entry ``tools=``
takes, and a model given it calls the tool with arguments valid for the function."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, Field

from specwire._testing import LoopbackServer, Reply
from specwire.credential import OpenAICredential
from specwire.message import UserMsg
from specwire.model import OpenAIChatModel
from specwire.tool import tool_schema


async def get_weather(
    city: str, unit: Literal["c", "f"] = "c", days: int = 1, *, api_token: str = ""
) -> str:
    """Get the weather forecast for a city.

    Looks it up in the national weather service.

    Args:
        city (str): The city, e.g. "Paris".
        unit: Temperature unit,
            Celsius or Fahrenheit.
        days (int): How many days ahead.

    Returns:
        A forecast.
    """
    return f"{city}: sunny"


def test_a_function_becomes_a_tool_schema() -> None:
    tool = tool_schema(get_weather, preset_kwargs={"api_token": "secret"})
    assert tool == {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the weather forecast for a city.\n\n"
            "Looks it up in the national weather service.",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": 'The city, e.g. "Paris".'},
                    "unit": {
                        "type": "string",
                        "enum": ["c", "f"],
                        "default": "c",
                        "description": "Temperature unit, Celsius or Fahrenheit.",
                    },
                    "days": {
                        "type": "integer",
                        "default": 1,
                        "description": "How many days ahead.",
                    },
                },
                "required": ["city"],
            },
        },
    }
    short = tool_schema(get_weather, include_long_description=False, name="weather")
    assert short["function"]["name"] == "weather"
    assert short["function"]["description"] == "Get the weather forecast for a city."
    assert "api_token" in short["function"]["parameters"]["properties"]  # not preset here


def test_sphinx_fields_and_undocumented_parameters() -> None:
    def add(x: int, y: float = 1.0, *args: int, note=None, **kwargs: str) -> float:  # type: ignore[no-untyped-def]
        """Add two numbers.

        :param x: the first
        :param float y: the second
            number
        """
        return x + y

    params = tool_schema(add)["function"]["parameters"]
    assert params["required"] == ["x"]
    assert params["properties"]["x"] == {"type": "integer", "description": "the first"}
    assert params["properties"]["y"]["description"] == "the second number"
    assert set(params["properties"]) == {"x", "y", "note"}  # no *args / **kwargs


def test_a_pydantic_model_becomes_a_tool_and_a_property_named_title_stays() -> None:
    class Search(BaseModel):
        """Search the web."""

        query: str = Field(description="What to search for.")
        title: str | None = Field(default=None, description="Only pages with this title.")

    tool = tool_schema(Search)
    assert tool["function"]["name"] == "Search"
    assert tool["function"]["description"] == "Search the web."
    params = tool["function"]["parameters"]
    assert set(params["properties"]) == {"query", "title"} and "title" not in params
    assert params["required"] == ["query"]


async def test_a_model_calls_the_tool_and_its_arguments_fit_the_function() -> None:
    arguments = {"city": "Paris", "unit": "f"}
    body = {
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": json.dumps(arguments)},
                        }
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ]
    }
    async with LoopbackServer([Reply.json(body)]) as server:
        model = OpenAIChatModel(
            credential=OpenAICredential(api_key="k", base_url=server.url), model="gpt-4.1-mini"
        )
        response = await model(
            [UserMsg(name="user", content="Weather in Paris?")],
            tools=[tool_schema(get_weather, preset_kwargs={"api_token": ""})],
            stream=False,
        )
        sent = server.requests[0].json()["tools"][0]
    assert sent["function"]["name"] == "get_weather"
    call = response.content[0]
    assert call.type == "tool_call"
    assert await get_weather(**json.loads(call.input), api_token="t") == "Paris: sunny"
