"""OpenTelemetry GenAI spans and metrics: emitted for chat, embedding and TTS calls once
the application sets providers (here the SDK's in-memory exporter and reader), with
content only on the standard opt-in, and nothing imported without the package."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from specwire._testing import LoopbackServer, Reply
from specwire._testing.tts_server import HTTPTTSLoopback
from specwire.credential import DashScopeCredential, OpenAICredential
from specwire.embedding import OpenAIEmbeddingModel
from specwire.errors import AuthenticationError
from specwire.message import UserMsg
from specwire.model import OpenAIChatModel
from specwire.tts import DashScopeTTSModel
from tests.embedding.helpers import openai_reply

HELLO = [UserMsg(name="user", content="Hello there")]
WHOLE = {
    "id": "chatcmpl-42",
    "model": "gpt-4.1-mini-2025-04-14",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Hi!"}, "finish_reason": "stop"}
    ],
    "usage": {
        "prompt_tokens": 20,
        "completion_tokens": 9,
        "total_tokens": 29,
        "prompt_tokens_details": {"cached_tokens": 16},
        "completion_tokens_details": {"reasoning_tokens": 4},
    },
}
EVENTS = [
    {
        "id": "chatcmpl-7",
        "model": "gpt-4.1-mini",
        "choices": [{"index": 0, "delta": {"content": "Hi"}}],
    },
    {
        "id": "chatcmpl-7",
        "choices": [{"index": 0, "delta": {"content": "!"}, "finish_reason": "length"}],
    },
    {"id": "chatcmpl-7", "choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 2}},
]


class Telemetry:
    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def metric_points(self, name: str) -> list[Any]:
        data = self.reader.get_metrics_data()
        points: list[Any] = []
        for resource in data.resource_metrics if data else []:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == name:
                        points.extend(metric.data.data_points)
        return points


@pytest.fixture
def otel(monkeypatch: pytest.MonkeyPatch) -> Iterator[Telemetry]:
    """Providers as an application sets them, scoped to one test (the global setters
    refuse a second call, so the getters are patched instead)."""
    telemetry = Telemetry()
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: telemetry.tracer_provider)
    monkeypatch.setattr(metrics, "get_meter_provider", lambda: telemetry.meter_provider)
    monkeypatch.delenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", raising=False)
    yield telemetry
    telemetry.tracer_provider.shutdown()
    telemetry.meter_provider.shutdown()


def _chat_model(url: str, **kwargs: Any) -> OpenAIChatModel:
    return OpenAIChatModel(
        credential=OpenAICredential(api_key="sk-test", base_url=url + "/v1"),
        model="gpt-4.1-mini",
        **kwargs,
    )


async def test_a_chat_call_emits_a_client_span_with_the_genai_attributes(otel: Telemetry) -> None:
    async with LoopbackServer([Reply.json(WHOLE)]) as server:
        model = _chat_model(
            server.url,
            parameters=OpenAIChatModel.Parameters(temperature=0.3, max_tokens=50, stop=["\n"]),
        )
        await model(HELLO, stream=False)
        port = int(server.url.rsplit(":", 1)[1])
    (span,) = otel.finished()
    attrs = dict(span.attributes or {})
    assert span.name == "chat gpt-4.1-mini" and span.kind is SpanKind.CLIENT
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["gen_ai.request.model"] == "gpt-4.1-mini"
    assert attrs["gen_ai.request.temperature"] == 0.3
    assert attrs["gen_ai.request.max_tokens"] == 50
    assert attrs["gen_ai.request.stop_sequences"] == ("\n",)
    assert attrs["gen_ai.request.stream"] is False
    assert attrs["server.address"] == "127.0.0.1" and attrs["server.port"] == port
    assert attrs["gen_ai.response.id"] == "chatcmpl-42"
    assert attrs["gen_ai.response.model"] == "gpt-4.1-mini-2025-04-14"
    assert attrs["gen_ai.response.finish_reasons"] == ("stop",)
    assert attrs["gen_ai.usage.input_tokens"] == 20
    assert attrs["gen_ai.usage.output_tokens"] == 9
    assert attrs["gen_ai.usage.cache_read.input_tokens"] == 16
    assert attrs["gen_ai.usage.reasoning.output_tokens"] == 4
    # content stays off without the opt-in
    assert "gen_ai.input.messages" not in attrs and "gen_ai.output.messages" not in attrs
    (duration,) = otel.metric_points("gen_ai.client.operation.duration")
    assert duration.count == 1 and duration.attributes["gen_ai.provider.name"] == "openai"
    tokens = {
        p.attributes["gen_ai.token.type"]: p.sum
        for p in otel.metric_points("gen_ai.client.token.usage")
    }
    assert tokens == {"input": 20, "output": 9}


async def test_a_stream_span_ends_at_the_final_chunk_with_time_to_first_chunk(
    otel: Telemetry,
) -> None:
    async with LoopbackServer([Reply.sse(EVENTS)]) as server:
        model = _chat_model(server.url)
        stream = await model(HELLO, stream=True)
        first = await anext(stream)
        assert not first.is_last and otel.finished() == []  # still open mid-stream
        rest = [chunk async for chunk in stream]
    assert rest[-1].is_last
    (span,) = otel.finished()
    attrs = dict(span.attributes or {})
    assert attrs["gen_ai.request.stream"] is True
    assert attrs["gen_ai.response.id"] == "chatcmpl-7"
    assert attrs["gen_ai.response.finish_reasons"] == ("length",)
    assert attrs["gen_ai.usage.input_tokens"] == 5 and attrs["gen_ai.usage.output_tokens"] == 2
    ttfc = attrs["gen_ai.response.time_to_first_chunk"]
    assert isinstance(ttfc, float) and 0 < ttfc <= (span.end_time - span.start_time) / 1e9  # type: ignore[operator]
    (point,) = otel.metric_points("gen_ai.client.operation.time_to_first_chunk")
    assert point.count == 1


async def test_a_failed_call_sets_error_type_and_status(otel: Telemetry) -> None:
    reply = Reply.json({"error": {"message": "bad key", "code": "invalid_api_key"}}, status=401)
    async with LoopbackServer([reply]) as server:
        with pytest.raises(AuthenticationError):
            await _chat_model(server.url)(HELLO, stream=False)
    (span,) = otel.finished()
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "AuthenticationError"
    (duration,) = otel.metric_points("gen_ai.client.operation.duration")
    assert duration.attributes["error.type"] == "AuthenticationError"


async def test_content_is_recorded_only_on_the_standard_opt_in(
    otel: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    async with LoopbackServer([Reply.json(WHOLE)]) as server:
        await _chat_model(server.url)(HELLO, stream=False)
    attrs = dict(otel.finished()[0].attributes or {})
    assert json.loads(str(attrs["gen_ai.input.messages"])) == [
        {"role": "user", "parts": [{"type": "text", "content": "Hello there"}]}
    ]
    assert json.loads(str(attrs["gen_ai.output.messages"])) == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": "Hi!"}],
            "finish_reason": "stop",
        }
    ]


async def test_embedding_and_speech_calls_emit_spans(otel: Telemetry) -> None:
    async with LoopbackServer(openai_reply) as server:
        embedder = OpenAIEmbeddingModel(
            credential=OpenAICredential(api_key="sk-test", base_url=server.url + "/v1"),
            model="text-embedding-3-small",
            parameters=OpenAIEmbeddingModel.Parameters(dimensions=256),
        )
        await embedder(["hello", "world"])
        await embedder.aclose()
    async with HTTPTTSLoopback() as tts_server:
        tts = DashScopeTTSModel(
            credential=DashScopeCredential(api_key="sk-test", base_url=tts_server.base_url),
            model="qwen3-tts-flash",
            stream=True,
        )
        chunks = [c async for c in await tts.synthesize("Good morning")]  # type: ignore[union-attr]
        await tts.aclose()
    assert chunks[-1].is_last
    embed_span, tts_span = otel.finished()
    embed = dict(embed_span.attributes or {})
    assert embed_span.name == "embeddings text-embedding-3-small"
    assert embed["gen_ai.operation.name"] == "embeddings"
    assert embed["gen_ai.embeddings.dimension.count"] == 256
    assert embed["gen_ai.usage.input_tokens"] == 6
    speech = dict(tts_span.attributes or {})
    assert tts_span.name == "generate_content qwen3-tts-flash" and tts_span.kind is SpanKind.CLIENT
    assert (
        speech["gen_ai.provider.name"] == "dashscope" and speech["gen_ai.output.type"] == "speech"
    )


def test_without_the_package_nothing_is_imported() -> None:
    # opentelemetry made unimportable: a chat call still works and imports none of it.
    script = """
import asyncio, sys
sys.modules["opentelemetry"] = None
from specwire._testing import LoopbackServer, Reply
from specwire.credential import OpenAICredential
from specwire.message import UserMsg
from specwire.model import OpenAIChatModel
BODY = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}]}
async def main():
    async with LoopbackServer([Reply.json(BODY)]) as server:
        model = OpenAIChatModel(credential=OpenAICredential(api_key="k", base_url=server.url), model="m")
        response = await model([UserMsg(name="u", content="hi")], stream=False)
    assert response.content[0].text == "Hi"
asyncio.run(main())
print(sorted(m for m in sys.modules if m.startswith("opentelemetry") and sys.modules[m] is not None))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_installed_but_unconfigured_loads_only_the_api() -> None:
    script = """
import asyncio, sys
from specwire._testing import LoopbackServer, Reply
from specwire.credential import OpenAICredential
from specwire.message import UserMsg
from specwire.model import OpenAIChatModel
BODY = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}]}
async def main():
    async with LoopbackServer([Reply.json(BODY)]) as server:
        model = OpenAIChatModel(credential=OpenAICredential(api_key="k", base_url=server.url), model="m")
        await model([UserMsg(name="u", content="hi")], stream=False)
asyncio.run(main())
print(any(m.startswith("opentelemetry.sdk") for m in sys.modules))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


async def test_a_hand_written_chat_model_and_structured_output_are_traced(otel: Telemetry) -> None:
    from specwire.message import TextBlock, ToolCallBlock
    from specwire.model import ChatModelBase, ChatResponse, ChatUsage

    class EchoModel(ChatModelBase):
        async def _call_api(  # type: ignore[override]
            self,
            model_name: str,
            messages: list[Any],
            tools: Any = None,
            tool_choice: Any = None,
            **kwargs: Any,
        ) -> ChatResponse:
            if tools:
                call = ToolCallBlock(id="c1", name=tools[0]["function"]["name"], input='{"n": 3}')
                return ChatResponse(
                    content=[call], usage=ChatUsage(input_tokens=4, output_tokens=2)
                )
            return ChatResponse(
                content=[TextBlock(text="echo")], usage=ChatUsage(input_tokens=3, output_tokens=1)
            )

    model = EchoModel(credential=OpenAICredential(api_key="k"), model="echo-1", stream=False)
    await model(HELLO)
    result = await model.generate_structured_output(
        HELLO, {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    )
    assert result.content == {"n": 3}
    plain, structured = otel.finished()
    assert plain.name == "chat echo-1" and plain.kind is SpanKind.CLIENT
    attrs = dict(plain.attributes or {})
    assert attrs["gen_ai.provider.name"] == "EchoModel"
    assert attrs["server.address"] == "api.openai.com"
    assert attrs["gen_ai.usage.input_tokens"] == 3
    assert dict(structured.attributes or {})["gen_ai.usage.output_tokens"] == 2
