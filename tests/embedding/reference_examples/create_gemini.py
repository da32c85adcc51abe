# ruff: noqa
# The reference's example, unchanged but for the package name (agentscope -> specwire).
import os
from specwire.embedding import GeminiEmbeddingModel
from specwire.credential import GeminiCredential

model = GeminiEmbeddingModel(
    credential=GeminiCredential(api_key=os.environ["GEMINI_API_KEY"]),
    model="gemini-embedding-001",
    parameters=GeminiEmbeddingModel.Parameters(dimensions=768),
)
