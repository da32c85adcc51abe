"""No silent truncation: a stream that ends without its completion signal raises
``IncompleteStreamError`` carrying what arrived; an empty body or a web page answering
a stream request raises ``ResponseFormatError``."""

from __future__ import annotations

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
