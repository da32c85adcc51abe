# ruff: noqa
# The reference's example, unchanged but for the package name (agentscope -> specwire).
import asyncio
import os
from specwire.embedding import DashScopeEmbeddingModel
from specwire.credential import DashScopeCredential


async def main():
    model = DashScopeEmbeddingModel(
        credential=DashScopeCredential(api_key=os.environ["DASHSCOPE_API_KEY"]),
        model="text-embedding-v4",
        parameters=DashScopeEmbeddingModel.Parameters(dimensions=1024),
    )
    response = await model(
        ["What is AgentScope?", "A multi-agent framework."],
    )
    print(len(response.embeddings))  # 2 — one vector per input
    print(len(response.embeddings[0]))  # 1024
    print(response.usage.tokens)  # total tokens consumed
    print(response.source)  # "api" or "cache"


asyncio.run(main())
