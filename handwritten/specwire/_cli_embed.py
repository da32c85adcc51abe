"""``specwire embed``: a corpus to a matrix of vectors, resumable, live or batched.

Texts go through the embedding cache (a folder beside the output by default, or
Redis), so a run that stopped picks up where it was: cached texts are not sent again.
Live mode sends chunks through the model (its batching, concurrency, retries and rate
limit); ``--batch-api`` submits what the cache lacks as one provider batch job (its id
kept in ``OUT.batch-job``, so a rerun resumes it) and caches the results.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

PROGRESS_EVERY = 1000


def add_embed(commands: Any) -> None:
    """Register ``specwire embed``."""
    embed = commands.add_parser(
        "embed",
        help="embed a corpus (JSONL or text lines) into a .npy or Parquet file",
        description=(__doc__ or "").replace("``", ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    embed.add_argument(
        "input", type=Path, help="a .jsonl file (one object or string a line) or text lines"
    )
    embed.add_argument("-o", "--output", type=Path, required=True, help="OUT.npy or OUT.parquet")
    embed.add_argument("--provider", required=True, help="openai, dashscope, gemini, ollama…")
    embed.add_argument("--model", required=True, help="the embedding model name")
    embed.add_argument("--base-url", help="the provider root URL (a proxy, a local server)")
    embed.add_argument("--field", default="text", help="the JSONL field holding the text")
    embed.add_argument("--dimensions", type=int, help="the vector size to ask for")
    embed.add_argument("--batch-size", type=int, help="inputs per request (at most the provider's)")
    embed.add_argument("--concurrency", type=int, default=8, help="requests in flight (live mode)")
    embed.add_argument("--chunk", type=int, default=PROGRESS_EVERY, help="texts per cached step")
    cache = embed.add_mutually_exclusive_group()
    cache.add_argument("--cache-dir", type=Path, help="the cache folder (default OUT.cache/)")
    cache.add_argument("--redis", metavar="URL", help="cache (and rate limit) in Redis")
    cache.add_argument("--no-cache", action="store_true", help="no cache: a rerun starts over")
    embed.add_argument("--rpm", type=float, help="requests per minute to keep to")
    embed.add_argument("--tpm", type=float, help="tokens per minute to keep to")
    embed.add_argument(
        "--batch-api", action="store_true", help="go through the provider's batch API"
    )
    embed.add_argument("--poll-interval", type=float, help="seconds between batch status reads")
    embed.add_argument("--progress", choices=("auto", "on", "off"), default="auto")
    embed.set_defaults(handler=run_embed)


def run_embed(args: argparse.Namespace) -> int:
    """The command's handler: exit status 0 when every text has its vector."""
    from ._corpus import CorpusError, check_output, read_texts

    try:
        check_output(args.output)
        texts = read_texts(args.input, args.field)
        model = _model(args)
    except (CorpusError, ValueError, TypeError) as exc:
        print(f"specwire embed: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_embed(args, model, texts))
    except KeyboardInterrupt:
        print("\nspecwire embed: interrupted; rerun to resume from the cache", file=sys.stderr)
        return 130


def _model(args: argparse.Namespace) -> Any:
    from . import credential as credentials
    from ._generated.registry import PROVIDERS

    entry = PROVIDERS.get(args.provider)
    if entry is None:
        raise ValueError(
            f"unknown provider {args.provider!r}; known: {', '.join(sorted(PROVIDERS))}"
        )
    cred_cls = getattr(credentials, str(entry["credential"]))
    model_cls = cred_cls.get_embedding_model_class()
    if model_cls is None:
        raise ValueError(f"{args.provider} has no embedding models")
    fields: dict[str, Any] = {}
    if args.base_url:
        fields[cred_cls.base_url_field] = args.base_url
    try:
        credential = cred_cls(**fields)
    except Exception as exc:  # pydantic says which field (e.g. the api key) is missing
        variables = ", ".join(v for vs in cred_cls.env_vars.values() for v in vs)
        raise ValueError(f"cannot build {cred_cls.__name__} (set {variables}): {exc}") from None
    cache: Any = None
    if args.redis:
        from ._embedding.redis_cache import RedisEmbeddingCache

        cache = RedisEmbeddingCache(url=args.redis)
    elif not args.no_cache:
        from ._embedding.file_cache import FileEmbeddingCache

        folder = args.cache_dir or args.output.with_name(args.output.name + ".cache")
        cache = FileEmbeddingCache(cache_dir=folder)
    kwargs: dict[str, Any] = {
        "credential": credential,
        "model": args.model,
        "embedding_cache": cache,
        "max_concurrency": args.concurrency,
    }
    if args.batch_size:
        kwargs["batch_size"] = args.batch_size
    if args.dimensions:
        kwargs["parameters"] = model_cls.Parameters(dimensions=args.dimensions)
    model = model_cls(**kwargs)
    limiter = None
    if args.redis:
        from ._ratelimit import RedisRateLimiter

        limiter = RedisRateLimiter(url=args.redis)
    if limiter is not None or args.rpm or args.tpm:
        model.limit_rate(limiter, requests_per_minute=args.rpm, tokens_per_minute=args.tpm)
    return model


def _show_progress(args: argparse.Namespace) -> bool:
    if args.progress != "auto":
        return bool(args.progress == "on")
    from ._batch.progress import ProgressBar

    return ProgressBar.wanted()


async def _embed(args: argparse.Namespace, model: Any, texts: list[str]) -> int:
    from ._corpus import write_matrix

    started = time.perf_counter()
    try:
        if args.batch_api:
            failed = await _through_batch_api(args, model, texts)
            if failed:
                print(
                    f"specwire embed: {failed} texts have no vector (failed or expired in the "
                    "batch); rerun to submit them again",
                    file=sys.stderr,
                )
                return 1
        vectors = await _live(args, model, texts)
    finally:
        await model.aclose()
        if model.embedding_cache is not None and hasattr(model.embedding_cache, "aclose"):
            await model.embedding_cache.aclose()
        await model.rate_limiter.aclose()
    write_matrix(args.output, vectors, texts)
    took = time.perf_counter() - started
    print(
        f"specwire embed: {len(texts)} texts -> {args.output} "
        f"({len(vectors[0]) if vectors else 0} dimensions, {took:.1f}s)",
        file=sys.stderr,
    )
    return 0


async def _live(args: argparse.Namespace, model: Any, texts: list[str]) -> list[Any]:
    """Every vector, chunk by chunk through the model (cached chunks cost nothing)."""
    from ._batch.progress import ProgressBar
    from ._batch.shapes import BatchProgress

    bar = ProgressBar(label="embed") if _show_progress(args) else None
    vectors: list[Any] = []
    step = max(1, args.chunk)
    try:
        for start in range(0, len(texts), step):
            response = await model(texts[start : start + step])
            vectors.extend(response.embeddings)
            if bar is not None:
                done = len(vectors)
                bar.update(
                    BatchProgress(
                        "running" if done < len(texts) else "completed",
                        {"succeeded": done, "pending": len(texts) - done},
                        len(texts),
                    )
                )
    finally:
        if bar is not None:
            bar.close()
    return vectors


async def _through_batch_api(args: argparse.Namespace, model: Any, texts: list[str]) -> int:
    """Submit the texts the cache lacks as one batch job (or resume the one on file),
    cache its vectors; the count of texts left without one."""
    from ._embedding.cache import cache_key

    cache = model.embedding_cache
    if cache is None:
        raise SystemExit("specwire embed: --batch-api needs a cache (drop --no-cache)")
    configuration = model._cache_configuration(model._options_for({}))
    keys = [cache_key(configuration, t) for t in texts]
    unique = list(dict.fromkeys(keys))
    found = dict(zip(unique, await cache.retrieve_many(unique), strict=True))
    missing: dict[str, str] = {}
    for key, text in zip(keys, texts, strict=True):
        if found.get(key) is None:
            missing.setdefault(key, text)
    job_file = args.output.with_name(args.output.name + ".batch-job")
    if not missing:
        job_file.unlink(missing_ok=True)
        return 0
    todo = list(missing.values())
    job = None
    if job_file.is_file():
        saved = job_file.read_text().split("\n", 1)
        if len(saved) == 2 and saved[1].strip() == str(len(todo)):
            job = model.resume_batch(saved[0].strip())
            print(f"specwire embed: resuming batch job {saved[0][:24]}…", file=sys.stderr)
    if job is None:
        job = await model.submit_batch(todo)
        job_file.write_text(f"{job.id}\n{len(todo)}\n")
        print(
            f"specwire embed: submitted {len(todo)} texts as {len(job.parts)} provider batch(es)",
            file=sys.stderr,
        )
    results = await job.results(poll_interval=args.poll_interval, progress=_show_progress(args))
    pairs = [(cache_key(configuration, todo[r.index]), r.value) for r in results if r.ok]
    await cache.store_many(pairs)
    # the job is over: what succeeded is cached, and a rerun submits only the rest
    job_file.unlink(missing_ok=True)
    return len(todo) - len(pairs)
