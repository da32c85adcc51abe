"""The chat examples of the reference guide (Create, Call, Structured output), run with
only the import renamed, against a loopback server answering in DashScope's native
format. The examples are read from the reference file beside the project, not copied."""

from __future__ import annotations

import asyncio
import json
import re
import textwrap
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from specwire._testing import LoopbackServer, Reply
from specwire._testing.loopback import ReceivedRequest
from tests.dialects.test_dashscope_dialect import event, sse
from tests.reference_guide import REFERENCE  # the guide beside the checkout


def chat_examples() -> dict[str, list[str]]:
    """Python blocks of the Create / Call / Structured-output sections, by section."""
    files = sorted(REFERENCE.glob("001_*.txt"))
    if not files:
        pytest.skip(f"reference guide not found under {REFERENCE}")
    text = files[0].read_text()
    sections: dict[str, list[str]] = {}
    current = None
    block: list[str] | None = None
    for line in text.splitlines():
        heading = re.match(r"#+ (.*)", line)
        if heading and block is None:
            current = heading.group(1).strip()
            continue
        stripped = line.strip()
        if block is None and stripped.startswith("```python") and current:
            block = []
        elif block is not None and stripped == "```":
            code = textwrap.dedent("\n".join(block)).replace("agentscope", "specwire")
            sections.setdefault(current or "", []).append(code)
            block = None
        elif block is not None:
            block.append(line)
    return sections


def answer(request: ReceivedRequest) -> Reply:
    """DashScope-native answers: a counted stream, or a forced structured-output call."""
    body = request.json()
    if request.headers.get("x-dashscope-sse") == "enable":
        pieces = ["1", ", 2,", " 3, ", "4, 5"]
        events = [event({"content": p}, (20, i + 1)) for i, p in enumerate(pieces)]
        events[-1] = event({"content": pieces[-1]}, (20, len(pieces)), "stop")  # complete
        return Reply(body=sse([("result", e) for e in events]), content_type="text/event-stream")
    tools = body["parameters"].get("tools") or []
    if tools:
        args = {"city": "Shanghai", "temperature": 21.5, "unit": "celsius"}
        call = {
            "id": "call_w",
            "type": "function",
            "function": {"name": tools[0]["function"]["name"], "arguments": json.dumps(args)},
        }
        message: dict[str, Any] = {"content": "", "tool_calls": [call]}
    else:
        message = {"content": "Hello."}
    return Reply.json(event(message, (30, 12), "stop"))


@pytest.fixture
def dashscope_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackServer]:
    """A loopback server on its own loop and thread (the examples call asyncio.run),
    with the credential's environment pointed at it."""
    loop = asyncio.new_event_loop()
    server = LoopbackServer(answer)
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.__aenter__())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(5)
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-example-key")
    monkeypatch.setenv("DASHSCOPE_BASE_URL", server.url + "/api/v1")
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(shutdown(server), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


async def shutdown(server: LoopbackServer) -> None:
    """Close the server and end the connection handlers the examples left open (their
    clients keep connections alive until the process exits)."""
    await server.__aexit__(None, None, None)
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


def test_create_examples_build_models(dashscope_server: LoopbackServer) -> None:
    blocks = chat_examples()["Create Chat Model"]
    assert len(blocks) == 3
    for code in blocks:
        scope: dict[str, Any] = {}
        exec(compile(code, "<reference create example>", "exec"), scope)
        model = scope["model"]
        assert type(model).__name__ == "DashScopeChatModel"
        assert model.credential.resolved_base_url() == dashscope_server.url + "/api/v1"
    params = scope["model"].parameters  # the Reasoning tab, last
    assert (params.thinking_enable, params.thinking_budget) == (True, 2048)


def test_call_example_streams_deltas_then_the_accumulated_final(
    dashscope_server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    (code,) = chat_examples()["Call Chat Model"][1:]  # the first block is the signature
    exec(compile(code, "<reference call example>", "exec"), {"__name__": "__main__"})
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("Final: [TextBlock(") and "text='1, 2, 3, 4, 5'" in lines[-1]
    deltas = [line for line in lines if line.startswith("Delta:")]
    assert deltas and all("TextBlock" in d for d in deltas)
    request = dashscope_server.requests[0]
    assert request.path == "/api/v1/services/aigc/text-generation/generation"
    assert request.headers["authorization"] == "Bearer sk-example-key"


def test_structured_output_example_prints_a_validated_dict(
    dashscope_server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    (code,) = chat_examples()["Generate Structured Output"]
    exec(compile(code, "<reference structured example>", "exec"), {"__name__": "__main__"})
    printed = capsys.readouterr().out.strip()
    assert printed == str({"city": "Shanghai", "temperature": 21.5, "unit": "celsius"})
    sent = dashscope_server.requests[0].json()["parameters"]
    assert sent["tool_choice"]["function"]["name"] == sent["tools"][0]["function"]["name"]
