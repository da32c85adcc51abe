"""The ``specwire`` command end to end: ``chat`` against the loopback server (the real
console entry point in a subprocess, the credential and base URL from the environment),
``--version``, bare help, and every error as one line with an exit status."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from specwire._testing import LoopbackServer, Reply
from tests.chat.openai_wire import chunk, usage_chunk

ENTRY = "import sys; from specwire._cli import main; sys.exit(main(sys.argv[1:]))"
DIM = "\x1b[2m"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL"))}
    env.update(extra)
    return env


async def _cli(*argv: str, env: dict[str, str], stdin: str | None = None) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        ENTRY,
        *argv,
        env=env,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await proc.communicate(stdin.encode() if stdin is not None else None)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _run(*argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", ENTRY, *argv],
        capture_output=True,
        text=True,
        env=env or _env(),
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


EVENTS = [
    chunk({"role": "assistant", "reasoning_content": "Two small "}),
    chunk({"reasoning_content": "numbers."}),
    chunk({"content": "1, 2"}),
    chunk({"content": ", 3"}, finish="stop"),
    usage_chunk(11, 7),
]


async def test_chat_streams_the_reply_and_reports_usage_on_stderr() -> None:
    async with LoopbackServer([Reply.sse(EVENTS)]) as server:
        env = _env(DEEPSEEK_API_KEY="sk-test", DEEPSEEK_BASE_URL=server.url)
        code, out, err = await _cli(
            "chat",
            "DeepSeek",  # any letter case
            "deepseek-chat",
            "Count to 3",
            "--system",
            "Be brief.",
            "-p",
            "temperature=0.2",
            "--color",
            "always",
            env=env,
        )
        request = server.requests[0]
    assert code == 0, err
    assert out == f"{DIM}Two small \x1b[0m{DIM}numbers.\x1b[0m\n1, 2, 3\n"  # thinking dimmed
    assert err.strip().startswith("usage: 11 input, 7 output") and err.strip().endswith(" s")
    assert request.path == "/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    body = request.json()
    assert body["model"] == "deepseek-chat" and body["temperature"] == 0.2 and body["stream"]
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


async def test_chat_reads_stdin_and_prints_json_with_cost() -> None:
    whole = {
        "output": {
            "choices": [
                {"message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}
            ]
        },
        "usage": {"input_tokens": 1000, "output_tokens": 10, "total_tokens": 1010},
        "request_id": "r1",
    }
    async with LoopbackServer([Reply.json(whole)]) as server:
        env = _env(DASHSCOPE_API_KEY="sk-test", DASHSCOPE_BASE_URL=server.url + "/api/v1")
        code, out, err = await _cli(
            "chat", "dashscope", "qwen-plus", "--json", "--no-stream", env=env, stdin="Say hello"
        )
        body = server.requests[0].json()
    assert code == 0, err
    response = json.loads(out)  # stdout holds the final response only
    assert response["content"][0]["text"] == "Hello!" and response["is_last"] is True
    assert body["input"]["messages"][-1]["content"] == "Say hello"
    cost = response["usage"]["cost"]  # qwen-plus: card prices
    assert cost is not None and f"${cost:.6f}" in err


async def test_chat_reaches_the_responses_class_and_plain_output_keeps_thinking_off_stdout() -> (
    None
):
    whole = {
        "id": "resp_1",
        "object": "response",
        "status": "completed",
        "model": "gpt-5-mini",
        "output": [
            {
                "id": "rs_1",
                "type": "reasoning",
                "summary": [{"type": "summary_text", "text": "Easy."}],
            },
            {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": "Hi there", "annotations": []}],
            },
        ],
        "usage": {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8},
    }
    async with LoopbackServer([Reply.json(whole)]) as server:
        env = _env(OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=server.url + "/v1")
        code, out, err = await _cli(
            "chat",
            "openai",
            "gpt-5-mini",
            "hi",
            "--class",
            "OpenAIResponseModel",
            "--no-stream",
            env=env,
        )
        request = server.requests[0]
    assert code == 0, err
    assert request.path == "/v1/responses"
    assert out == "Hi there\n" and "Easy." in err  # no colour: thinking on stderr


async def test_a_provider_error_is_one_line_and_exit_status_1() -> None:
    reply = Reply.json({"error": {"message": "bad key", "code": "invalid_api_key"}}, status=401)
    async with LoopbackServer([reply]) as server:
        env = _env(OPENAI_API_KEY="sk-wrong", OPENAI_BASE_URL=server.url)
        code, out, err = await _cli("chat", "openai", "gpt-4.1-mini", "hi", env=env)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("specwire chat: AuthenticationError: ")
    assert "sk-wrong" not in err


@pytest.mark.parametrize(
    ("argv", "status", "expected"),
    [
        (
            ["chat", "openai", "gpt-4.1-mini", "hi"],
            1,
            "no credential for openai: set api_key (OPENAI_API_KEY)",
        ),
        (["chat", "acme", "m", "hi"], 2, "unknown provider 'acme'; known: anthropic"),
        (["chat", "openai", "m"], 2, "no prompt: give PROMPT or pipe it on stdin"),
        (["models", "Nope"], 2, "unknown provider 'Nope'"),
        (["chat"], 2, "the following arguments are required: provider, model"),
        (["--bogus"], 2, "unrecognized arguments: --bogus"),
    ],
)
def test_every_cli_error_is_one_clear_line(argv: list[str], status: int, expected: str) -> None:
    code, out, err = _run(*argv)
    assert code == status and out == ""
    assert err.count("\n") == 1 and expected in err and "Traceback" not in err, err


def test_bad_parameters_and_unwritable_folders_are_one_line(tmp_path: Path) -> None:
    code, _, err = _run(
        "chat", "openai", "m", "hi", "-p", "temperature=9", env=_env(OPENAI_API_KEY="k")
    )
    assert code == 1 and err.count("\n") == 1 and "temperature" in err and "Traceback" not in err
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code, _, err = _run("cards", "--html", str(blocker / "site"))
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("specwire cards: ") and str(blocker) in err


def test_bare_specwire_prints_help_and_version_is_known() -> None:
    code, out, err = _run()
    assert code == 0 and err == "" and "chat" in out and "models" in out and "usage:" in out
    code, out, _ = _run("--version")
    import specwire

    assert code == 0 and out.strip() == f"specwire {specwire.__version__}"


def test_models_lists_the_responses_class_and_takes_any_case() -> None:
    code, out, _ = _run("models", "OPENAI", "--family", "chat")
    rows: list[Any] = [line.split() for line in out.splitlines()[1:]]
    classes = {row[-1] for row in rows}
    assert code == 0 and classes == {"OpenAIChatModel", "OpenAIResponseModel"}
