# ruff: noqa
# The reference's example, unchanged but for the package name (agentscope -> specwire).
import os
from specwire.embedding import OpenAIEmbeddingModel
from specwire.credential import OpenAICredential

model = OpenAIEmbeddingModel(
    credential=OpenAICredential(api_key=os.environ["OPENAI_API_KEY"]),
    model="text-embedding-3-small",
    parameters=OpenAIEmbeddingModel.Parameters(dimensions=1536),
)
