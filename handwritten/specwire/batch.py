"""Provider batch APIs (about half the price, results within a day), one API for all:

    job = await model.submit_batch(requests)   # chat: message lists; embedding: inputs
    save(job.id)                               # holds no secret
    job = await Batch.resume(credential, job_id)
    await job.wait()                           # progress bar on a terminal
    for item in await job.results():           # input order
        item.value if item.ok else item.error

OpenAI and DashScope (files), Anthropic Message Batches (inline), Gemini batch mode (a file
through the Files API, or inline).
"""

from ._batch import (
    Batch,
    BatchError,
    BatchJob,
    BatchNotSupportedError,
    BatchProgress,
    BatchRequest,
    BatchResult,
)

__all__ = [
    "Batch",
    "BatchError",
    "BatchJob",
    "BatchNotSupportedError",
    "BatchProgress",
    "BatchRequest",
    "BatchResult",
]
