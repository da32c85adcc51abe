"""``specwire embed``: JSONL or text lines in, .npy or Parquet out, resumable through
the cache, live or through the batch API, against loopback servers on their own
thread (the command runs its own event loop)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from specwire._cli import main
from specwire._testing.batch_server import BatchServer, vector_for
from specwire._testing.threaded import RateEnforcingEmbeddings, ThreadedServer


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli")


def _args(corpus: Path, out: Path, url: str, *extra: str) -> list[str]:
    return [
        "embed", str(corpus), "-o", str(out), "--provider", "openai",
        "--model", "text-embedding-3-small", "--base-url", url, "--progress", "off", "--dimensions", "8", *extra,
    ]  # fmt: skip


def test_live_embedding_to_npy_resumes_through_the_cache(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    texts = [f"passage {i}" for i in range(300)]
    corpus.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)))
    out = tmp_path / "vectors.npy"
    server = RateEnforcingEmbeddings(requests_per_minute=60_000)
    with ThreadedServer(server) as s:
        assert main(_args(corpus, out, s.url, "--batch-size", "50", "--chunk", "100")) == 0
        matrix = np.load(out)
        assert matrix.shape == (300, 8) and matrix.dtype == np.float32
        assert matrix[:, 0].tolist() == [vector_for(t)[0] for t in texts]
        assert server.inputs == 300
        # more texts later: a rerun sends only what the cache lacks
        more = [f"passage {i}" for i in range(300, 340)]
        with corpus.open("a") as handle:
            handle.writelines(json.dumps({"text": t}) + "\n" for t in more)
        assert main(_args(corpus, out, s.url, "--batch-size", "50")) == 0
        assert server.inputs == 340 and np.load(out).shape == (340, 8)
    assert (tmp_path / "vectors.npy.cache").is_dir()


def test_text_lines_to_parquet(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    corpus = tmp_path / "lines.txt"
    corpus.write_text("first line\n\nsecond line\nthird, with {json} chars\n")
    out = tmp_path / "vectors.parquet"
    with ThreadedServer(RateEnforcingEmbeddings(requests_per_minute=60_000)) as s:
        assert main(_args(corpus, out, s.url, "--no-cache")) == 0
    table = pq.read_table(out)
    assert table.column("text").to_pylist() == [
        "first line",
        "second line",
        "third, with {json} chars",
    ]
    rows = table.column("embedding").to_pylist()
    assert [r[0] for r in rows] == [vector_for(t)[0] for t in table.column("text").to_pylist()]


def test_through_the_batch_api_with_a_failed_text_then_a_rerun(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    texts = [f"doc {i}" for i in range(40)]
    texts[7] = "doc FAIL"
    corpus.write_text("".join(json.dumps(t) + "\n" for t in texts))
    out = tmp_path / "out.npy"
    batch = BatchServer()
    with ThreadedServer(batch.handle) as s:
        args = _args(
            corpus, out, s.url + "/v1", "--batch-api", "--poll-interval", "0", "--batch-size", "10"
        )
        assert main(args) == 1  # the line holding doc 7 failed: no output yet
        assert not out.exists() and len(batch.batches) == 1
        assert not (tmp_path / "out.npy.batch-job").exists()
        # fix the text; the rerun submits only the failed line's ten texts
        texts[7] = "doc 7"
        corpus.write_text("".join(json.dumps(t) + "\n" for t in texts))
        assert main(args) == 0
        assert len(batch.batches) == 2
        second = list(batch.batches.values())[1]
        assert sum(len(item.body["input"]) for item in second.items) == 10
    matrix = np.load(out)
    assert matrix[:, 0].tolist() == [vector_for(t)[0] for t in texts]


def test_clear_errors_on_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"body": "no text field"}\n')
    assert main(_args(corpus, tmp_path / "o.npy", "http://127.0.0.1:9")) == 2
    assert "no string field 'text'" in capsys.readouterr().err
    assert main(_args(corpus, tmp_path / "o.csv", "http://127.0.0.1:9")) == 2
    assert ".npy or .parquet" in capsys.readouterr().err
    assert main(_args(tmp_path / "missing.txt", tmp_path / "o.npy", "http://127.0.0.1:9")) == 2
    assert "no such file" in capsys.readouterr().err
    corpus.write_text('{"text": "fine"}\n')
    args = _args(corpus, tmp_path / "o.npy", "http://127.0.0.1:9")
    args[args.index("openai")] = "nope"
    assert main(args) == 2
    assert "unknown provider 'nope'" in capsys.readouterr().err
