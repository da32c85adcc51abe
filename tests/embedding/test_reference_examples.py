"""The reference's embedding examples, with only the import renamed, run as scripts
against a loopback server (the credentials' base-URL environment variables point
there; the scripts' own code is untouched)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from specwire._testing.loopback import LoopbackServer
from specwire.embedding import EmbeddingResponse, EmbeddingUsage
from tests.embedding.helpers import dashscope_reply, vector_for
from tests.embedding.reference_examples.my_provider.credential import MyProviderCredential
from tests.embedding.reference_examples.my_provider.my_embedding import MyProviderEmbeddingModel

EXAMPLES = Path(__file__).parent / "reference_examples"


async def run_example(name: str, server: LoopbackServer, cwd: Path) -> list[str]:
    env = {
        **os.environ,
        "DASHSCOPE_API_KEY": "sk-example",
        "DASHSCOPE_BASE_URL": server.url + "/api/v1",
        "OPENAI_API_KEY": "sk-example",
        "GEMINI_API_KEY": "g-example",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLES / name),
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return out.decode().split()


async def test_create_examples(tmp_path: Path) -> None:
    names = ["create_dashscope.py", "create_openai.py", "create_gemini.py", "create_ollama.py"]
    async with LoopbackServer(dashscope_reply) as server:
        printed = await asyncio.gather(*(run_example(n, server, tmp_path) for n in names))
    assert printed == [[], [], [], []]
    assert server.requests == []  # creating a model sends nothing


async def test_call_example(tmp_path: Path) -> None:
    async with LoopbackServer(dashscope_reply) as server:
        printed = await run_example("call_dashscope.py", server, tmp_path)
    assert printed == ["2", "1024", "10", "api"]
    assert server.requests[0].headers["authorization"] == "Bearer sk-example"


async def test_multimodal_example(tmp_path: Path) -> None:
    async with LoopbackServer(dashscope_reply) as server:
        assert await run_example("multimodal_dashscope.py", server, tmp_path) == ["2"]
    assert server.requests[0].path.endswith("/multimodal-embedding/multimodal-embedding")


async def test_cache_example(tmp_path: Path) -> None:
    async with LoopbackServer(dashscope_reply) as server:
        assert await run_example("cache_dashscope.py", server, tmp_path) == ["api", "cache"]
    assert len(server.requests) == 1
    assert len(list((tmp_path / ".cache" / "embeddings").glob("*.npy"))) == 1


async def test_list_cards_example(tmp_path: Path) -> None:
    async with LoopbackServer(dashscope_reply) as server:
        printed = " ".join(await run_example("list_cards.py", server, tmp_path))
    assert "text-embedding-v4: context=8192" in printed
    assert "qwen3-vl-embedding:" in printed


class FilledInModel(MyProviderEmbeddingModel):
    """The reference's custom model with its ``_call_api`` filled in; the first call
    times out once to show the declared retryable exception at work."""

    calls: list[int] = []

    async def _call_api(self, inputs: list[str], **kwargs: Any) -> EmbeddingResponse:
        self.calls.append(len(inputs))
        if len(self.calls) == 1:
            raise TimeoutError("provider slow")
        dims = self.dimensions or 8
        return EmbeddingResponse(
            embeddings=[vector_for(text, dims).tolist() for text in inputs],  # type: ignore[misc]
            usage=EmbeddingUsage(tokens=len(inputs)),
        )


async def test_custom_provider_example_gets_batching_and_retries() -> None:
    model_cls = MyProviderCredential.get_embedding_model_class()
    assert model_cls is MyProviderEmbeddingModel
    model = FilledInModel(
        credential=MyProviderCredential(type="my_provider"), model="my-embed", retry_delay=0.001
    )
    assert model.batch_size == 100 and model.context_size == 8192
    response = await model([f"t{i}" for i in range(250)])
    assert sorted(model.calls) == [50, 100, 100, 100]  # one retried batch
    assert len(response.embeddings) == 250 and len(response.embeddings[0]) == 512
    assert response.embeddings[249] == vector_for("t249", 512).tolist()
