"""The base class: batching, bounded concurrency, per-batch retries, failure reports,
cache use and merging, seen through a user subclass as in the reference's "Custom
Embedding Provider"."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from specwire.credential import CredentialBase
from specwire.embedding import (
    Embedding,
    EmbeddingBatchError,
    EmbeddingInputError,
    EmbeddingModelBase,
    EmbeddingResponse,
    EmbeddingUsage,
    FileEmbeddingCache,
)
from specwire.errors import BadRequestError, RateLimitError, ServerError
from tests.embedding.helpers import vector_for


class FakeCredential(CredentialBase):
    type: str = "fake_credential"


class FakeEmbeddingModel(EmbeddingModelBase[str]):
    """Records each batch; ``script`` maps a call number to an exception to raise."""

    def __init__(self, batch_size: int = 3, **kwargs: Any) -> None:
        super().__init__(
            credential=FakeCredential(), model="fake-embed", batch_size=batch_size, **kwargs
        )
        self.batches: list[list[str]] = []
        self.failures: dict[str, list[BaseException]] = {}
        self.in_flight = 0
        self.peak_in_flight = 0
        self.delay = 0.0
        self.sleeps: list[float] = []

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    async def _call_api(self, inputs: list[str], **kwargs: Any) -> EmbeddingResponse:
        assert len(inputs) <= self.batch_size
        self.batches.append(list(inputs))
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            queued = self.failures.get(inputs[0])
            if queued:
                raise queued.pop(0)
        finally:
            self.in_flight -= 1
        dims = kwargs.get("dimensions", self.dimensions) or 8
        return EmbeddingResponse(
            embeddings=[Embedding(vector_for(t, dims)) for t in inputs],
            usage=EmbeddingUsage(tokens=len(inputs)),
        )


def texts(n: int) -> list[str]:
    return [f"text {i}" for i in range(n)]


async def test_inputs_split_by_batch_size_and_merged_in_input_order() -> None:
    model = FakeEmbeddingModel(batch_size=3)
    response = await model(texts(8))
    assert [len(b) for b in model.batches] == [3, 3, 2]
    assert len(response.embeddings) == 8
    for i, vector in enumerate(response.embeddings):
        assert vector == vector_for(f"text {i}", 512).tolist()
    assert response.usage is not None and response.usage.tokens == 8
    assert response.source == "api" and response.type == "embedding"


async def test_reference_default_dimensions_is_512() -> None:
    model = FakeEmbeddingModel()
    assert model.Parameters().dimensions == 512  # type: ignore[attr-defined]
    assert model.dimensions == 512
    response = await model(["a"])
    assert len(response.embeddings[0]) == 512


async def test_concurrency_is_bounded() -> None:
    model = FakeEmbeddingModel(batch_size=1, max_concurrency=3)
    model.delay = 0.01
    await model(texts(20))
    assert len(model.batches) == 20
    assert model.peak_in_flight == 3


async def test_retryable_failure_is_retried_for_its_batch_only() -> None:
    model = FakeEmbeddingModel(batch_size=2, max_retries=2, retry_delay=0.5)
    model.failures["text 2"] = [ServerError("busy", status=503), ServerError("busy", status=503)]
    response = await model(texts(6))
    sent_firsts = [b[0] for b in model.batches]
    assert sent_firsts.count("text 2") == 3 and sent_firsts.count("text 0") == 1
    assert len(response.embeddings) == 6
    # exponential backoff from retry_delay, at most 25% jitter off
    assert 0.375 <= model.sleeps[0] <= 0.5 and 0.75 <= model.sleeps[1] <= 1.0


async def test_retry_after_wins_over_a_shorter_backoff() -> None:
    model = FakeEmbeddingModel(max_retries=1, retry_delay=0.01)
    model.failures["text 0"] = [RateLimitError("slow down", status=429, retry_after=7.0)]
    await model(texts(2))
    assert model.sleeps == [7.0]


async def test_bad_request_is_not_retried_and_the_error_names_the_inputs() -> None:
    model = FakeEmbeddingModel(batch_size=2, max_retries=3, max_concurrency=1)
    model.failures["text 2"] = [BadRequestError("too long", status=400, code="invalid")]
    with pytest.raises(EmbeddingBatchError) as caught:
        await model(texts(6))
    error = caught.value
    assert error.failed_indices == [2, 3]
    assert error.failed_inputs == ["text 2", "text 3"]
    assert error.unsent_indices == [4, 5]  # no new batch starts after a final failure
    assert error.status == 400 and error.code == "invalid"
    assert isinstance(error.__cause__, BadRequestError)
    assert "inputs [2, 3]" in str(error)
    assert [b[0] for b in model.batches].count("text 2") == 1


async def test_exhausted_retries_raise_with_the_last_error() -> None:
    model = FakeEmbeddingModel(batch_size=4, max_retries=1)
    model.failures["text 0"] = [ServerError("down", status=500)] * 2
    with pytest.raises(EmbeddingBatchError) as caught:
        await model(texts(4))
    assert caught.value.failed_indices == [0, 1, 2, 3]
    assert len(model.batches) == 2


async def test_failed_batch_is_never_cached_but_finished_ones_are(tmp_path: Any) -> None:
    cache = FileEmbeddingCache(tmp_path)
    model = FakeEmbeddingModel(
        batch_size=2, max_retries=0, embedding_cache=cache, max_concurrency=1
    )
    model.failures["text 2"] = [BadRequestError("no", status=400)]
    with pytest.raises(EmbeddingBatchError):
        await model(texts(4))
    assert len(list(tmp_path.glob("*.npy"))) == 2  # the first batch only
    model.batches.clear()
    response = await model(texts(4))
    assert model.batches == [["text 2", "text 3"]]  # only what is missing is sent
    assert response.source == "api"
    assert [v.tolist() for v in response.embeddings] == [
        vector_for(t, 512).tolist() for t in texts(4)
    ]


async def test_source_is_cache_only_when_nothing_was_sent(tmp_path: Any) -> None:
    model = FakeEmbeddingModel(embedding_cache=FileEmbeddingCache(tmp_path))
    first = await model(["a", "b"])
    second = await model(["b", "a"])
    assert (first.source, second.source) == ("api", "cache")
    assert second.embeddings == [first.embeddings[1], first.embeddings[0]]
    assert second.usage is not None and second.usage.tokens == 0
    mixed = await model(["a", "c"])
    assert mixed.source == "api" and model.batches[-1] == ["c"]


async def test_cache_key_depends_on_dimensions_and_parameters(tmp_path: Any) -> None:
    model = FakeEmbeddingModel(embedding_cache=FileEmbeddingCache(tmp_path))
    await model(["a"])
    again = await model(["a"], dimensions=64)
    assert again.source == "api" and len(again.embeddings[0]) == 64


async def test_repeated_inputs_are_sent_once_when_caching(tmp_path: Any) -> None:
    model = FakeEmbeddingModel(embedding_cache=FileEmbeddingCache(tmp_path))
    response = await model(["x", "y", "x", "x"])
    assert model.batches == [["x", "y"]]
    assert response.embeddings[0] == response.embeddings[2] == response.embeddings[3]


async def test_a_broken_cache_does_not_break_embedding() -> None:
    class BrokenCache(FileEmbeddingCache):
        async def retrieve_many(self, keys: Any) -> Any:
            raise OSError("disk gone")

        async def store_many(self, items: Any) -> None:
            raise OSError("disk gone")

    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        model = FakeEmbeddingModel(embedding_cache=BrokenCache(folder))
        response = await model(["a", "b"])
    assert len(response.embeddings) == 2 and response.source == "api"


async def test_wrong_vector_count_is_an_error_not_a_short_result() -> None:
    class Short(FakeEmbeddingModel):
        async def _call_api(self, inputs: list[str], **kwargs: Any) -> EmbeddingResponse:
            response = await super()._call_api(inputs, **kwargs)
            return EmbeddingResponse(embeddings=response.embeddings[:-1])

    with pytest.raises(EmbeddingBatchError, match="vectors came back"):
        await Short()(texts(3))


async def test_input_of_wrong_type_fails_before_sending() -> None:
    model = FakeEmbeddingModel()
    with pytest.raises(EmbeddingInputError) as caught:
        await model(["ok", 42])  # type: ignore[list-item]
    assert caught.value.indices == [1] and model.batches == []


async def test_single_string_is_one_input_and_empty_list_is_empty() -> None:
    model = FakeEmbeddingModel()
    assert len((await model("hello")).embeddings) == 1  # type: ignore[arg-type]
    empty = await model([])
    assert empty.embeddings == [] and model.batches == [["hello"]]


async def test_call_kwargs_override_parameters_and_are_validated() -> None:
    model = FakeEmbeddingModel()
    with pytest.raises(ValueError):
        await model(["a"], dimensions=0)


def test_constructor_validates_its_arguments() -> None:
    with pytest.raises(ValueError):
        FakeEmbeddingModel(max_concurrency=0)
    with pytest.raises(ValueError):
        FakeEmbeddingModel(batch_size=0)
    with pytest.raises(TypeError):
        FakeEmbeddingModel(parameters=BadRequestError)  # type: ignore[arg-type]


async def test_cancelling_a_call_cancels_its_batches() -> None:
    model = FakeEmbeddingModel(batch_size=1, max_concurrency=2)
    model.delay = 10
    task = asyncio.create_task(model(texts(4)))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert model.in_flight == 0
