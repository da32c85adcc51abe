# ruff: noqa
# The reference's example, unchanged but for the package name (agentscope -> specwire).
import asyncio
import os
from specwire.embedding import DashScopeEmbeddingModel
from specwire.credential import DashScopeCredential
from specwire.message import DataBlock, URLSource


async def main():
    model = DashScopeEmbeddingModel(
        credential=DashScopeCredential(api_key=os.environ["DASHSCOPE_API_KEY"]),
        model="qwen3-vl-embedding",
    )
    response = await model(
        [
            "A cat sitting on a windowsill",
            DataBlock(
                source=URLSource(
                    url="https://example.com/cat.png",
                    media_type="image/png",
                ),
            ),
        ]
    )
    print(len(response.embeddings))  # 2 — one vector per input


asyncio.run(main())
