# ruff: noqa
# The reference's example, unchanged but for the package name (agentscope -> specwire).
import asyncio
import os
from specwire.embedding import DashScopeEmbeddingModel, FileEmbeddingCache
from specwire.credential import DashScopeCredential


async def main():
    model = DashScopeEmbeddingModel(
        credential=DashScopeCredential(api_key=os.environ["DASHSCOPE_API_KEY"]),
        model="text-embedding-v4",
        embedding_cache=FileEmbeddingCache(
            cache_dir="./.cache/embeddings",
            max_file_number=1000,
            max_cache_size=100,  # MB
        ),
    )
    r1 = await model(["What is AgentScope?"])
    print(r1.source)  # "api" — first call hits the API

    r2 = await model(["What is AgentScope?"])
    print(r2.source)  # "cache" — identical request served locally


asyncio.run(main())
