"""``nox -s bench``: every benchmark against its baseline in the same run, then the
results table (``bench/results.md``) and the README's speed section written from it.

``python bench/run.py`` runs all; ``--quick`` runs small sizes (for development: it prints
the table and writes nothing); ``--report-only`` re-renders from ``bench/results.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
RESULTS_JSON = HERE / "results.json"
RESULTS_MD = HERE / "results.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
TIMES = "\N{MULTIPLICATION SIGN}"

STREAM_LABELS = {
    ("openai", "text"): "OpenAI text deltas",
    ("openai", "tool"): "OpenAI tool-argument deltas",
    ("openai", "reasoning"): "OpenAI reasoning deltas",
    ("anthropic", "text"): "Anthropic text deltas",
    ("anthropic", "tool"): "Anthropic tool-argument deltas",
}


def run_scripts(quick: bool, tmp: Path) -> dict[str, Any]:
    chat_args = ["--sizes", "1000,10000,100000"]
    if quick:
        chat_args = [
            "--sizes",
            "1000",
            "--rounds",
            "2",
            "--streams",
            "50",
            "--events",
            "200",
            "--concurrency-rounds",
            "1",
            "--calls",
            "50",
        ]
    scripts: list[tuple[str, list[str]]] = [
        ("import", ["import_bench.py"]),
        ("event_path", ["event_path_bench.py"]),
        ("chat", ["chat_bench.py", *chat_args]),
        (
            "embeddings",
            ["embedding_bench.py", *(["--count", "4096", "--rounds", "2"] if quick else [])],
        ),
        ("tts", ["tts_bench.py"]),
    ]
    results: dict[str, Any] = {
        "quick": quick,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}",
    }
    for name, (script, *args) in scripts:
        out = tmp / f"{name}.json"
        print(f"\n== {script}", flush=True)
        command = [sys.executable, str(HERE / script), *args]
        if name != "tts":
            command += ["--results", str(out)]
        code = subprocess.run(command, check=False).returncode
        results[name] = json.loads(out.read_text()) if out.exists() else None
        results[f"{name}_ok"] = code == 0
    return results


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _x(value: float) -> str:
    return f"{value:.2f}{TIMES}"


def render(results: dict[str, Any]) -> str:
    """The speed section's markdown."""
    lines: list[str] = []
    chat = results.get("chat")
    note = " (quick run: small sizes, not the headline)" if results.get("quick") else ""
    lines.append(
        f"Measured {results['date']} on {results['machine']}{note}, shared with other "
        "processes (absolute µs vary run to run; the ratios come from interleaved rounds)."
    )
    lines.append("")
    if chat:
        rows = chat["streams"]
        sizes = sorted({r["events"] for r in rows})
        head = " | ".join(_size(n) for n in sizes)
        lines += [
            "Time ÷ raw httpx (`httpx.AsyncClient.stream` + `aiter_lines` + `json.loads`, text "
            "joined once), one HTTP chunk per SSE event, server in its own process, interleaved, "
            "best of 5 (3 at 100k). Each cell: specwire on its default transport (aiohttp) / "
            'specwire with `transport="httpx"`.',
            "",
            f"| stream | {head} |",
            "|---|" + "---|" * len(sizes),
        ]
        for (dialect, kind), label in STREAM_LABELS.items():
            cells = []
            for n in sizes:
                row = _row(rows, dialect, kind, n, "event")
                cells.append(_pair(row) if row else "—")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        cells = []
        for n in sizes:
            row = _row(rows, "openai", "text", n, "large")
            cells.append(_pair(row) if row else "—")
        lines.append(
            "| *OpenAI text, 64 KiB chunks (large-chunk framing)* | " + " | ".join(cells) + " |"
        )
        lines.append("")
        raw = [
            f"{_row(rows, 'openai', 'text', n, 'event')['seconds']['raw httpx'] / n * 1e6:.1f}"
            for n in sizes
            if _row(rows, "openai", "text", n, "event")
        ]
        deltas = [
            str(_row(rows, "openai", "text", n, "event")["deltas"]["specwire"])
            for n in sizes
            if _row(rows, "openai", "text", n, "event")
        ]
        peak = [
            f"{_row(rows, 'openai', 'text', n, 'event')['specwire_peak_mb']:.1f}"
            for n in sizes
            if _row(rows, "openai", "text", n, "event")
        ]
        lines += [
            f"Raw httpx takes {' / '.join(raw)} µs per event (OpenAI text, "
            f"{' / '.join(_size(n) for n in sizes)}). aiohttp hands specwire whatever bytes have "
            f"arrived, so on this loopback a read holds many events: the OpenAI text streams came "
            f"as {' / '.join(deltas)} deltas. On httpx's transport every HTTP chunk is its own "
            "read, so every event is its own delta. Peak traced memory of the specwire OpenAI "
            f"text run: {' / '.join(peak)} MB.",
            "",
        ]
        paced = chat.get("paced")
        if paced:
            n = paced[0]["events"]
            lines += [
                f"Events spread in time (one per millisecond, {n:,} per stream, so each read "
                "holds one event and wall time is the server's pace): the client's CPU time "
                "per event, best of 3.",
                "",
                '| stream | raw httpx µs/event | specwire | ÷ raw | specwire, `transport="httpx"` | ÷ raw | deltas |',
                "|---|---|---|---|---|---|---|",
            ]
            for p in paced:
                cpu = {k: v / p["events"] * 1e6 for k, v in p["cpu_seconds"].items()}
                base = cpu["raw httpx"]
                lines.append(
                    f"| {STREAM_LABELS[(p['dialect'], p['kind'])]} | {base:.0f} | {cpu['specwire']:.0f} | "
                    f"{_x(cpu['specwire'] / base)} | {cpu['specwire httpx']:.0f} | "
                    f"{_x(cpu['specwire httpx'] / base)} | {p['deltas']:,} |"
                )
            lines.append("")
        c = chat.get("concurrency")
        if c:
            total = c["streams"] * c["events"]
            base = total / c["seconds"]["raw httpx"]
            lines += [
                f"| {c['streams']} concurrent streams {TIMES} {c['events']:,} events, one loop | events/s | vs raw httpx | max RSS |",
                "|---|---|---|---|",
            ]
            for name in ("raw httpx", "specwire", "specwire httpx"):
                eps = total / c["seconds"][name]
                label = {"specwire httpx": 'specwire, `transport="httpx"`'}.get(name, name)
                lines.append(
                    f"| {label} | {eps:,.0f} | {eps / base:.2f}{TIMES} | {c['max_rss_mb'][name]:.0f} MB |"
                )
            lines.append("")
        ns = chat.get("non_stream")
        if ns:
            s = ns["seconds"]
            lines.append(
                f"Non-stream calls ({ns['calls']} sequential, {ns['chars']:,}-character answers) ÷ raw "
                f"httpx (`post` + `json.loads`): {_x(s['specwire'] / s['raw httpx'])} default, "
                f'{_x(s["specwire httpx"] / s["raw httpx"])} with `transport="httpx"`.'
            )
            lines.append("")
    nz = results.get("noise")
    if nz:
        lines += [
            f"Noise: against the run before this one ({nz['previous']}), the {nz['cells']} stream "
            f"ratios moved by {nz['median'] * 100:.0f} % (median) and at most "
            f"{nz['max'] * 100:.0f} % ({nz['max_cell']}).",
            "",
        ]
    ev = results.get("event_path")
    if ev:
        values = " / ".join(f"{ev[k]:.1f}" for k in ev)
        lines.append(
            "specwire's own CPU per event, no network (`bench/event_path_bench.py`: SSE decode, "
            "JSON parse, dialect mapping, accumulator, delta object; each event alone), "
            f"µs, in the table's stream order: {values}."
        )
        lines.append("")
    emb = results.get("embeddings")
    if emb:
        lines.append(
            f"Embeddings ({emb['count']:,} {TIMES} {emb['dims']} via `OpenAIEmbeddingModel` vs httpx + "
            f"base64 + numpy): {_x(emb['ratio_best'])} time (best), {_x(emb['ratio_median'])} "
            f"(median); peak memory {_x(emb['memory_x_vectors'])} the vectors (baseline "
            f"{_x(emb['baseline_memory_x_vectors'])})."
        )
        lines.append("")
    imp = results.get("import")
    if imp:
        lines.append(
            f"Cold `import specwire.model`: {imp['model_ms']:.0f} ms ({_x(imp['model_ms'] / imp['httpx_ms'])} "
            f"`import httpx`); aiohttp is imported when a model first sends."
        )
    return "\n".join(lines) + "\n"


def _ratios(results: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for r in (results.get("chat") or {}).get("streams", []):
        s = r["seconds"]
        key = f"{r['dialect']} {r['kind']} {r['events']} {r['framing']}"
        out[key] = s["specwire"] / s["raw httpx"]
        out[key + " httpx"] = s["specwire httpx"] / s["raw httpx"]
    return out


def noise(before: dict[str, Any], now: dict[str, Any]) -> dict[str, Any] | None:
    """How far this run's stream ratios are from the previous run's (the same cells)."""
    a, b = _ratios(before), _ratios(now)
    common = sorted(set(a) & set(b))
    if not common:
        return None
    diffs = sorted(abs(b[k] / a[k] - 1) for k in common)
    return {
        "previous": before.get("date"),
        "cells": len(common),
        "median": diffs[len(diffs) // 2],
        "max": diffs[-1],
        "max_cell": max(common, key=lambda k: abs(b[k] / a[k] - 1)),
    }


def _size(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 else str(n)


def _row(rows: list[dict[str, Any]], dialect: str, kind: str, n: int, framing: str) -> Any:
    for r in rows:
        if (r["dialect"], r["kind"], r["events"], r["framing"]) == (dialect, kind, n, framing):
            return r
    return None


def _pair(row: dict[str, Any]) -> str:
    s = row["seconds"]
    return f"{_x(s['specwire'] / s['raw httpx'])} / {_x(s['specwire httpx'] / s['raw httpx'])}"


def write(results: dict[str, Any]) -> None:
    body = render(results)
    RESULTS_MD.write_text(
        "# Benchmark results\n\nWritten by `nox -s bench` (bench/run.py).\n\n" + body
    )
    readme = README.read_text()
    if BEGIN in readme and END in readme:
        start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
        README.write_text(readme[:start] + "\n" + body + readme[end:])
    print(f"\nwrote {RESULTS_MD.relative_to(HERE.parent)} and the README speed section")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for development")
    parser.add_argument("--report-only", action="store_true", help="re-render from results.json")
    args = parser.parse_args()
    if args.report_only:
        results = json.loads(RESULTS_JSON.read_text())
    else:
        with tempfile.TemporaryDirectory() as tmp:
            results = run_scripts(args.quick, Path(tmp))
        if args.quick:  # a development run never replaces the recorded table
            print("\n" + render(results))
            return 0
        if RESULTS_JSON.exists():
            results["noise"] = noise(json.loads(RESULTS_JSON.read_text()), results)
        RESULTS_JSON.write_text(json.dumps(results, indent=1))
    write(results)
    return 0 if all(v for k, v in results.items() if k.endswith("_ok")) else 1


if __name__ == "__main__":
    sys.exit(main())
