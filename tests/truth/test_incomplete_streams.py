"""No silent truncation: a stream that ends without its completion signal raises
``IncompleteStreamError`` carrying what arrived; an empty body or a web page answering
a stream request raises ``ResponseFormatError``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from specwire._testing import LoopbackServer, Reply
from specwire.errors import IncompleteStreamError, ResponseFormatError, StreamBrokenError
from specwire.message import UserMsg
from specwire.model import ChatResponse

from .dialects import CASE_IDS, CASES, STOP_VALUES, DialectCase

ASK = [UserMsg(name="user", content="Say hello")]
KEY = "sk-incomplete-test-key"


async def _drain(case: DialectCase, reply: Reply) -> list[ChatResponse]:
    async with LoopbackServer([reply]) as server:
        result = await case.make(server.url, KEY, True)(ASK)
        assert not isinstance(result, ChatResponse)
        return [c async for c in result]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_a_stream_without_its_completion_signal_raises_with_the_partial_answer(
    case: DialectCase,
) -> None:
    received: list[ChatResponse] = []
    async with LoopbackServer([case.stream_reply(STOP_VALUES[case.name], signal=False)]) as server:
        result = await case.make(server.url, KEY, True)(ASK)
        assert not isinstance(result, ChatResponse)
        with pytest.raises(IncompleteStreamError) as info:
            async for chunk in result:
                received.append(chunk)
    error = info.value
    assert isinstance(error, StreamBrokenError)
    assert not any(c.is_last for c in received), "no final chunk pretends the answer is whole"
    partial = error.partial
    assert isinstance(partial, ChatResponse)
    assert "".join(b.text for b in partial.content if b.type == "text") == "Hello world"
    assert partial.finish_reason is None
    assert "completion signal" in str(error)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_a_complete_stream_still_ends_normally(case: DialectCase) -> None:
    chunks = await _drain(case, case.stream_reply(STOP_VALUES[case.name]))
    assert chunks[-1].is_last and chunks[-1].finish_reason == "stop"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_an_empty_200_stream_is_a_format_error(case: DialectCase) -> None:
    with pytest.raises(ResponseFormatError, match="empty"):
        await _drain(case, Reply(body=b"", content_type=case.content_type))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_a_captive_portal_page_on_a_stream_is_a_format_error(case: DialectCase) -> None:
    page = b"<!doctype html><html><body>Sign in to the hotel wifi</body></html>"
    with pytest.raises(ResponseFormatError, match="text/html") as info:
        await _drain(case, Reply(body=page, content_type="text/html; charset=utf-8"))
    assert info.value.status == 200


async def test_a_page_instead_of_json_on_a_whole_answer_is_a_format_error() -> None:
    case = CASES[0]
    async with LoopbackServer(
        [Reply(body=b"<html>portal</html>", content_type="text/html")]
    ) as server:
        with pytest.raises(ResponseFormatError, match="not JSON"):
            await case.make(server.url, KEY, False)(ASK)


async def test_a_spec_can_say_its_server_sends_no_end_signal(tmp_path: Path) -> None:
    from codegen.render import generate
    from tests.codegen.test_codegen import ACME_SPEC, _spec_copy

    spec_dir = _spec_copy(tmp_path)
    quiet = ACME_SPEC.replace(
        'stream: {format: sse, terminator: "[DONE]"}', "stream: {format: sse, end_signal: false}"
    )
    assert quiet != ACME_SPEC
    (spec_dir / "providers" / "acme.yaml").write_text(quiet)
    generate(spec_dir, tmp_path / "out")
    source = tmp_path / "out" / "specwire" / "_generated" / "acme.py"
    assert "stream_end_signal=False" in source.read_text()
    module_spec = importlib.util.spec_from_file_location("specwire._generated.acme", source)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    sys.modules["specwire._generated.acme"] = module
    try:
        module_spec.loader.exec_module(module)
        events = [{"choices": [{"index": 0, "delta": {"content": "Hi"}}]}]
        async with LoopbackServer([Reply.sse(events, done=False)]) as server:
            cred = module.AcmeCredential(api_key="acme-secret", base_url=server.url + "/v1")
            model = module.AcmeChatModel(credential=cred, model="acme-1")
            chunks = [c async for c in await model(ASK)]
        assert chunks[-1].is_last and chunks[-1].finish_reason is None
        assert [b.text for b in chunks[-1].content] == ["Hi"]
    finally:
        sys.modules.pop("specwire._generated.acme", None)
