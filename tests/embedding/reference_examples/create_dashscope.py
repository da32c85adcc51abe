# ruff: noqa
# The reference's example, unchanged but for the package name (agentscope -> specwire).
import os
from specwire.embedding import DashScopeEmbeddingModel
from specwire.credential import DashScopeCredential

model = DashScopeEmbeddingModel(
    credential=DashScopeCredential(api_key=os.environ["DASHSCOPE_API_KEY"]),
    model="text-embedding-v4",
    parameters=DashScopeEmbeddingModel.Parameters(dimensions=1024),
)
