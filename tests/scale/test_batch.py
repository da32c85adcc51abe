"""Batch jobs against the loopback batch server, per provider format: submit, poll,
resume from the id, partial failure, expiry, cancel, splitting over the spec's limits,
and the wire shapes each provider documents."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from specwire._testing.batch_server import BatchServer, vector_for
from specwire.batch import Batch, BatchNotSupportedError, BatchRequest
from specwire.credential import (
    AnthropicCredential,
    DashScopeCredential,
    DeepSeekCredential,
    GeminiCredential,
    OpenAICredential,
)
from specwire.embedding import DashScopeEmbeddingModel, GeminiEmbeddingModel, OpenAIEmbeddingModel
from specwire.errors import BadRequestError
from specwire.message import UserMsg
from specwire.model import (
    AnthropicChatModel,
    ChatResponse,
    DashScopeChatModel,
    DeepSeekChatModel,
    GeminiChatModel,
    OpenAIChatModel,
    OpenAIResponseModel,
)

FAST = {"poll_interval": 0.0, "progress": False}


def chat_setups(url: str) -> dict[str, tuple[Any, Any]]:
    """provider -> (credential, model)"""
    openai = OpenAICredential(api_key="sk-test", base_url=url + "/v1")
    return {
        "openai": (openai, OpenAIChatModel(credential=openai, model="gpt-4o-mini", stream=False)),
        "openai-responses": (openai, OpenAIResponseModel(credential=openai, model="gpt-4o-mini")),
        "anthropic": (
            cred := AnthropicCredential(api_key="sk-ant-test", base_url=url),
            AnthropicChatModel(credential=cred, model="claude-sonnet-4-5", stream=False),
        ),
        "gemini": (
            g := GeminiCredential(api_key="g-test", base_url=url),
            GeminiChatModel(credential=g, model="gemini-2.5-flash", stream=False),
        ),
        "dashscope": (
            d := DashScopeCredential(api_key="sk-ds-test", base_url=url + "/api/v1"),
            DashScopeChatModel(credential=d, model="qwen-plus", stream=False),
        ),
    }


PROVIDERS = ["openai", "openai-responses", "anthropic", "gemini", "dashscope"]


@pytest.fixture
async def server() -> AsyncIterator[BatchServer]:
    async with BatchServer() as s:
        yield s


def _requests(n: int, fail: set[int] = frozenset()) -> list[Any]:  # type: ignore[assignment]
    return [
        [UserMsg(name="user", content=f"question {i}" + (" FAIL" if i in fail else ""))]
        for i in range(n)
    ]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_submit_poll_results_in_input_order_with_partial_failure(
    server: BatchServer, provider: str
) -> None:
    _credential, model = chat_setups(server.url)[provider]
    requests = _requests(6, fail={1, 4})
    requests.append(BatchRequest([UserMsg(name="user", content="named")], custom_id="row-42"))
    job = await model.submit_batch(requests)
    assert job.id.startswith("swb1_") and job.total == 7
    seen: list[str] = []
    final = await job.wait(on_progress=lambda p: seen.append(p.state), **FAST)
    assert final.done and final.state == "completed"
    assert final.counts["succeeded"] == 5 and final.counts["failed"] == 2
    assert seen[0] in ("pending", "running") and seen[-1] == "completed"
    results = await job.results(**FAST)
    assert [r.index for r in results] == list(range(7))
    for r in results:
        if r.index in (1, 4):
            assert not r.ok and isinstance(r.error, BadRequestError)
            assert r.error.provider == model.binding.provider
        else:
            assert r.ok and isinstance(r.value, ChatResponse)
            text = r.value.content[0].text  # type: ignore[union-attr]
            assert text == ("echo: named" if r.index == 6 else f"echo: question {r.index}")
            assert r.value.usage is not None and r.value.usage.output_tokens == 5
    assert results[6].custom_id == "row-42"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_resume_from_the_id_in_a_fresh_model(server: BatchServer, provider: str) -> None:
    credential, model = chat_setups(server.url)[provider]
    job = await model.submit_batch(_requests(3))
    job_id = job.id
    del job
    resumed = await Batch.resume(credential, job_id)
    assert type(resumed._engine.model) is type(model)
    results = await resumed.results(**FAST)
    assert [r.value.content[0].text for r in results if r.value] == [  # type: ignore[union-attr]
        f"echo: question {i}" for i in range(3)
    ]
    assert json.dumps(job_id)  # a plain string, safe to store
    assert "sk-" not in job_id and "test" not in job_id


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_expiry_keeps_processed_items_and_expires_the_rest(provider: str) -> None:
    async with BatchServer(per_poll=2, expire_after=2) as server:
        _credential, model = chat_setups(server.url)[provider]
        job = await model.submit_batch(_requests(5))
        progress = await job.wait(**FAST)
        assert progress.state == "expired"
        results = await job.results(**FAST)
        states = [r.state for r in results]
        done = states.count("succeeded")  # two a read until the window closed
        assert 0 < done < 5 and states == ["succeeded"] * done + ["expired"] * (5 - done)
        for r in results[done:]:
            assert r.error is not None and r.value is None and r.error.code == "batch_expired"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_cancel_stops_the_rest(provider: str) -> None:
    async with BatchServer(per_poll=1) as server:
        _credential, model = chat_setups(server.url)[provider]
        job = await model.submit_batch(_requests(4))
        await job.status()  # validating -> running
        await job.status()  # one item processed
        after = await job.cancel()
        final = await job.wait(**FAST)
        assert final.state == "cancelled", after
        results = await job.results(**FAST)
        states = [r.state for r in results]
        assert states[0] == "succeeded" and "cancelled" in states
        assert all(s in ("succeeded", "cancelled") for s in states)


async def test_requests_over_the_per_batch_limit_split_into_several_batches(
    server: BatchServer,
) -> None:
    _credential, model = chat_setups(server.url)["anthropic"]
    limits = dict(model.binding.batch.limits)
    limits["requests"] = 3
    binding = model.binding
    from dataclasses import replace

    type(model).binding = replace(binding, batch=replace(binding.batch, limits=limits))
    try:
        job = await model.submit_batch(_requests(8, fail={5}))
        assert len(job.parts) == 3 and [p.count for p in job.parts] == [3, 3, 2]
        assert len(server.batches) == 3
        results = await job.results(**FAST)
        assert [r.index for r in results] == list(range(8))
        assert [r.ok for r in results] == [True] * 5 + [False] + [True] * 2
        resumed = await Batch.resume(_credential, job.id)
        assert len(resumed.parts) == 3
    finally:
        type(model).binding = binding


async def test_openai_wire_file_upload_and_lines(server: BatchServer) -> None:
    _credential, model = chat_setups(server.url)["openai"]
    job = await model.submit_batch(_requests(2))
    upload, create = server.requests[0], server.requests[1]
    assert upload.path == "/v1/files" and "multipart/form-data" in upload.headers["content-type"]
    assert upload.headers["authorization"] == "Bearer sk-test"
    body = create.json()
    assert body["endpoint"] == "/v1/chat/completions" and body["completion_window"] == "24h"
    lines = [json.loads(x) for x in server.files[body["input_file_id"]].splitlines()]
    assert [x["custom_id"] for x in lines] == ["0", "1"]
    assert all(x["method"] == "POST" and x["url"] == "/v1/chat/completions" for x in lines)
    assert lines[0]["body"]["model"] == "gpt-4o-mini" and "stream" not in lines[0]["body"]
    assert lines[0]["body"]["messages"][-1]["content"] in (
        "question 0",
        [{"type": "text", "text": "question 0"}],
    )
    await job.results(**FAST)


async def test_dashscope_batches_go_through_compatible_mode_in_openai_form(
    server: BatchServer,
) -> None:
    _credential, model = chat_setups(server.url)["dashscope"]
    await model.submit_batch(_requests(1))
    assert server.requests[0].path == "/compatible-mode/v1/files"
    body = server.requests[1].json()
    line = json.loads(server.files[body["input_file_id"]])
    assert line["url"] == "/v1/chat/completions" and "messages" in line["body"]
    assert "input" not in line["body"]  # not the native DashScope body


async def test_anthropic_and_gemini_wire_shapes(server: BatchServer) -> None:
    setups = chat_setups(server.url)
    await setups["anthropic"][1].submit_batch(_requests(1))
    create = server.requests[-1]
    assert create.path == "/v1/messages/batches"
    request = create.json()["requests"][0]
    assert request["custom_id"] == "0" and request["params"]["model"] == "claude-sonnet-4-5"
    assert create.headers["x-api-key"] == "sk-ant-test"
    await setups["gemini"][1].submit_batch(_requests(1))
    start, upload, create = server.requests[-3:]
    # the Files API's resumable upload, then the batch naming the file
    assert (
        start.path == "/upload/v1beta/files" and start.headers["x-goog-upload-command"] == "start"
    )
    assert start.headers["x-goog-api-key"] == "g-test"
    assert upload.headers["x-goog-upload-command"] == "upload, finalize"
    assert create.path == "/v1beta/models/gemini-2.5-flash:batchGenerateContent"
    file_name = create.json()["batch"]["inputConfig"]["fileName"]
    line = json.loads(server.files[file_name])
    assert line["key"] == "0" and "contents" in line["request"]


@pytest.fixture
def gemini_inline() -> Any:
    """The Gemini specs switched to inline requests (``input: inline``, 20 MB)."""
    from dataclasses import replace

    classes = [GeminiChatModel, GeminiEmbeddingModel]
    saved = [cls.binding for cls in classes]
    for cls, binding in zip(classes, saved, strict=True):
        limits = {**binding.batch.limits, "bytes": 20_000_000}  # type: ignore[union-attr]
        inline = replace(binding.batch, input="inline", limits=limits)  # type: ignore[arg-type]
        cls.binding = replace(binding, batch=inline)  # type: ignore[misc]
    yield
    for cls, binding in zip(classes, saved, strict=True):
        cls.binding = binding  # type: ignore[misc]


@pytest.mark.usefixtures("gemini_inline")
async def test_gemini_inline_requests_and_responses(server: BatchServer) -> None:
    model = chat_setups(server.url)["gemini"][1]
    job = await model.submit_batch(_requests(3, fail={1}))
    create = server.requests[-1]
    inlined = create.json()["batch"]["inputConfig"]["requests"]["requests"]
    assert [r["metadata"] for r in inlined] == [{"key": "0"}, {"key": "1"}, {"key": "2"}]
    results = await job.results(**FAST)
    assert [r.ok for r in results] == [True, False, True]
    assert not any(p.startswith("/upload") for p in (r.path for r in server.requests))
    embed = embedding_setups(server.url)["gemini"]
    vectors = await (await embed.submit_batch(["a", "bb"])).results(**FAST)
    assert [float(v.value[0]) for v in vectors] == [1.0, 2.0]  # type: ignore[arg-type]


async def test_request_kwargs_parameters_and_validation(server: BatchServer) -> None:
    _credential, model = chat_setups(server.url)["openai"]
    job = await model.submit_batch(
        [{"messages": [UserMsg(name="u", content="hi")], "temperature": 0.5, "custom_id": "a"}]
    )
    body = server.requests[1].json()
    line = json.loads(server.files[body["input_file_id"]])
    assert line["body"]["temperature"] == 0.5 and line["custom_id"] == "0_a"
    await job.results(**FAST)
    with pytest.raises(ValueError, match="custom_id"):
        await model.submit_batch(
            [BatchRequest([UserMsg(name="u", content="x")], custom_id="bad id!")]
        )
    with pytest.raises(ValueError, match="twice"):
        await model.submit_batch(
            [BatchRequest([UserMsg(name="u", content="x")], custom_id="a")] * 2
        )
    with pytest.raises(TypeError):
        await model.submit_batch([42])
    with pytest.raises(ValueError, match="at least one"):
        await model.submit_batch([])
    with pytest.raises(ValueError, match="not a specwire batch"):
        await Batch.resume(_credential, "batch_abc")


async def test_a_provider_without_a_batch_api_says_so(server: BatchServer) -> None:
    model = DeepSeekChatModel(credential=DeepSeekCredential(api_key="sk"), model="deepseek-chat")
    with pytest.raises(BatchNotSupportedError, match="no chat batch API"):
        await model.submit_batch(_requests(1))


# ---------------------------------------------------------------- embeddings
def embedding_setups(url: str) -> dict[str, Any]:
    return {
        "openai": OpenAIEmbeddingModel(
            credential=OpenAICredential(api_key="sk-test", base_url=url + "/v1"),
            model="text-embedding-3-small",
            batch_size=4,
        ),
        "gemini": GeminiEmbeddingModel(
            credential=GeminiCredential(api_key="g", base_url=url), model="gemini-embedding-001"
        ),
        "dashscope": DashScopeEmbeddingModel(
            credential=DashScopeCredential(api_key="sk", base_url=url + "/api/v1"),
            model="text-embedding-v4",
        ),
    }


@pytest.mark.parametrize("provider", ["openai", "gemini", "dashscope"])
async def test_embedding_batch_gives_vectors_in_input_order(
    server: BatchServer, provider: str
) -> None:
    model = embedding_setups(server.url)[provider]
    texts = [f"text number {i}" + ("!" * i) for i in range(11)]
    job = await model.submit_batch(texts)
    results = await (await Batch.resume(model.credential, job.id)).results(**FAST)
    assert [r.index for r in results] == list(range(11))
    for text, r in zip(texts, results, strict=True):
        assert r.ok
        assert list(r.value)[:3] == pytest.approx(vector_for(text)[:3], rel=1e-6)


async def test_embedding_lines_pack_the_live_batch_size_and_fail_per_line(
    server: BatchServer,
) -> None:
    model = embedding_setups(server.url)["openai"]
    texts = [f"t{i}" for i in range(10)]
    texts[5] = "FAIL here"
    job = await model.submit_batch(texts)
    body = server.requests[1].json()
    lines = [json.loads(x) for x in server.files[body["input_file_id"]].splitlines()]
    assert [x["custom_id"] for x in lines] == ["0-4", "4-4", "8-2"]
    assert body["endpoint"] == "/v1/embeddings" and lines[0]["body"]["input"] == texts[:4]
    results = await job.results(**FAST)
    assert [r.ok for r in results] == [True] * 4 + [False] * 4 + [True] * 2
    assert isinstance(results[5].error, BadRequestError)


async def test_gemini_embedding_lines_hold_one_input_each(server: BatchServer) -> None:
    model = embedding_setups(server.url)["gemini"]
    await model.submit_batch(["a", "b", "c"])
    create = server.requests[-1]
    assert create.path == "/v1beta/models/gemini-embedding-001:asyncBatchEmbedContent"
    lines = [
        json.loads(x)
        for x in server.files[create.json()["batch"]["inputConfig"]["fileName"]].splitlines()
    ]
    assert [line["key"] for line in lines] == ["0-1", "1-1", "2-1"]
    assert lines[1]["request"]["content"]["parts"][0]["text"] == "b"


async def test_embedding_expiry_and_cancel() -> None:
    async with BatchServer(per_poll=1, expire_after=2) as server:
        model = embedding_setups(server.url)["openai"]
        job = await model.submit_batch([f"x{i}" for i in range(12)])
        assert (await job.wait(**FAST)).state == "expired"
        states = [r.state for r in await job.results(**FAST)]
        assert states == ["succeeded"] * 4 + ["expired"] * 8
    async with BatchServer(per_poll=1) as server:
        model = embedding_setups(server.url)["gemini"]
        job = await model.submit_batch(["a", "b", "c"])
        await job.status()
        await job.status()
        await job.cancel()
        assert (await job.wait(**FAST)).state == "cancelled"
        states = [r.state for r in await job.results(**FAST)]
        assert states[0] == "succeeded" and states[-1] == "cancelled"
        assert set(states) == {"succeeded", "cancelled"}


async def test_progress_bar_draws_on_a_terminal(server: BatchServer) -> None:
    import io

    from specwire._batch.progress import ProgressBar

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    _c, model = chat_setups(server.url)["openai"]
    job = await model.submit_batch(_requests(3))
    stream = Tty()
    bar = ProgressBar(stream)
    assert ProgressBar.wanted(stream) and not ProgressBar.wanted(io.StringIO())
    await job.wait(poll_interval=0, progress=False, on_progress=bar.update)
    bar.close()
    drawn = stream.getvalue()
    assert "\r" in drawn and "3/3" in drawn and "succeeded 3" in drawn and "completed" in drawn


async def test_a_429_on_submission_is_retried_once_created_and_shared() -> None:
    """A create refused with 429 created nothing: it is sent again after the pause,
    which the rate limiter shares; a create that failed otherwise is not repeated."""
    import time

    from specwire._ratelimit import InProcessRateLimiter
    from specwire._testing.loopback import ReceivedRequest, Reply
    from specwire.errors import ServerError

    batch = BatchServer()
    refusals = {"429": 1, "500": 0}

    def handler(request: ReceivedRequest) -> Reply:
        if request.path.endswith("/messages/batches") and request.method == "POST":
            if refusals["429"]:
                refusals["429"] -= 1
                return Reply.json(
                    {"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}},
                    status=429,
                    headers={"retry-after": "0.3"},
                )
            if refusals["500"]:
                refusals["500"] -= 1
                return Reply.json(
                    {"type": "error", "error": {"type": "api_error", "message": "oops"}}, status=500
                )
        return batch.handle(request)

    from specwire._testing.loopback import LoopbackServer

    async with LoopbackServer(handler) as server:
        _c, model = chat_setups(server.url)["anthropic"]
        model.limit_rate(InProcessRateLimiter())
        started = time.monotonic()
        job = await model.submit_batch(_requests(2))
        assert time.monotonic() - started >= 0.3 and len(batch.batches) == 1
        creates = [r for r in server.requests if r.method == "POST" and r.path.endswith("/batches")]
        assert len(creates) == 2
        assert [r.ok for r in await job.results(**FAST)] == [True, True]
        refusals["500"] = 1
        with pytest.raises(ServerError):
            await model.submit_batch(_requests(1))
        assert len(batch.batches) == 1  # not sent twice


@pytest.mark.parametrize("provider", ["openai", "dashscope"])
async def test_a_batch_refused_at_validation_fails_every_item_with_the_reason(
    provider: str,
) -> None:
    async with BatchServer(refuse=True) as server:
        _c, model = chat_setups(server.url)[provider]
        job = await model.submit_batch(_requests(3))
        progress = await job.wait(**FAST)
        assert progress.state == "failed" and progress.counts["failed"] == 3
        results = await job.results(**FAST)
        assert [r.state for r in results] == ["failed"] * 3
        assert all("not valid for this endpoint" in str(r.error) for r in results)
