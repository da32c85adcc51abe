"""``specwire chat PROVIDER MODEL [PROMPT]``: one chat call from the terminal.

The reply streams to stdout (thinking dimmed); usage and cost go to stderr. The
credential comes from the provider's environment variables (``OPENAI_API_KEY``...), and
``<PROVIDER>_BASE_URL`` points any provider at a proxy or a local server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from typing import Any, TextIO

DIM, RESET = "\x1b[2m", "\x1b[0m"


class CLIError(Exception):
    """A usage problem reported as one line with an exit status."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def add_chat_parser(commands: Any) -> None:
    """Register ``specwire chat``."""
    chat = commands.add_parser(
        "chat",
        help="chat with a model from the terminal (streams the reply)",
        description="Send one prompt (or stdin) to PROVIDER's MODEL and stream the reply. "
        "The credential is read from the provider's environment variables, e.g. "
        "OPENAI_API_KEY; <PROVIDER>_BASE_URL (e.g. OPENAI_BASE_URL) overrides the URL.",
    )
    chat.add_argument("provider", help="provider id (any letter case), e.g. openai, deepseek")
    chat.add_argument("model", help="model name sent to the provider, e.g. gpt-4.1-mini")
    chat.add_argument("prompt", nargs="?", help="the user message; read from stdin when omitted")
    chat.add_argument("--system", metavar="TEXT", help="a system prompt")
    chat.add_argument(
        "--class",
        dest="model_class",
        metavar="NAME",
        help="the chat model class, e.g. OpenAIResponseModel (default: the provider's first)",
    )
    chat.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Parameters field, e.g. -p temperature=0.2 (VALUE read as JSON when it parses)",
    )
    chat.add_argument("--no-stream", action="store_true", help="one whole response, no deltas")
    chat.add_argument(
        "--json", action="store_true", help="print the final response as JSON (no live text)"
    )
    chat.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="dim the thinking with ANSI colour (auto: when stdout is a terminal)",
    )
    chat.set_defaults(handler=run_chat)


def run_chat(args: argparse.Namespace) -> int:
    """The ``chat`` handler."""
    prompt = args.prompt
    if prompt is None and sys.stdin is not None and not sys.stdin.isatty():
        prompt = sys.stdin.read()
    if prompt is None or not prompt.strip():
        raise CLIError("no prompt: give PROMPT or pipe it on stdin")
    model = _build_model(args)
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    return asyncio.run(_chat(model, prompt, args, color))


def _build_model(args: argparse.Namespace) -> Any:
    from ._cards.catalog import credential_arguments
    from ._core.credential_registry import find_provider, provider_entries

    entry = find_provider(args.provider)
    if entry is None:
        known = ", ".join(provider_entries())
        raise CLIError(f"unknown provider {args.provider!r}; known: {known}")
    credential_cls = entry.credential
    fields: dict[str, Any] = {}
    base_url_var = re.sub(r"[^A-Z0-9]", "_", entry.provider.upper()) + "_BASE_URL"
    base_field = getattr(credential_cls, "base_url_field", "base_url")
    if os.environ.get(base_url_var) and base_field in credential_cls.model_fields:
        fields[base_field] = os.environ[base_url_var]
    from pydantic import ValidationError

    try:
        credential = credential_cls(**fields)
    except ValidationError as exc:
        missing = [
            f"{name} ({env})" if env else name
            for name, env in credential_arguments(credential_cls)
            if any(
                err["loc"][:1] == (name,)
                # the credential's own check names a missing secret at the model level
                or (not err["loc"] and f"{name} is required" in err["msg"])
                for err in exc.errors()
            )
        ]
        if missing:
            raise CLIError(
                f"no credential for {entry.provider}: set {', '.join(missing)}", 1
            ) from None
        raise
    classes = list(credential_cls.get_chat_model_classes())
    if not classes:
        raise CLIError(f"provider {entry.provider!r} has no chat models")
    chosen = classes[0]
    if args.model_class:
        by_name = {c.__name__.lower(): c for c in classes}
        if args.model_class.lower() not in by_name:
            names = ", ".join(c.__name__ for c in classes)
            raise CLIError(
                f"{entry.provider} has no chat class {args.model_class!r}; it has {names}"
            )
        chosen = by_name[args.model_class.lower()]
    parameters = chosen.Parameters.model_validate(_parameters(args.param))
    return chosen(credential=credential, model=args.model, parameters=parameters)


def _parameters(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise CLIError(f"--param takes KEY=VALUE, got {pair!r}")
        try:
            out[key] = json.loads(raw)
        except ValueError:
            out[key] = raw
    return out


async def _chat(model: Any, prompt: str, args: argparse.Namespace, color: bool) -> int:
    from .message import SystemMsg, UserMsg

    messages: list[Any] = []
    if args.system:
        messages.append(SystemMsg(name="system", content=args.system))
    messages.append(UserMsg(name="user", content=prompt))
    stream = not args.no_stream
    printer = _Printer(sys.stdout, sys.stderr, color, live=not args.json)
    try:
        result = await model(messages, stream=stream)
        if stream:
            final = None
            async for chunk in result:
                if chunk.is_last:
                    final = chunk
                else:
                    printer.delta(chunk.content)
        else:
            final = result
            printer.delta(final.content)
    finally:
        close = getattr(model, "aclose", None)
        if close is not None:
            await close()
    if final is None:
        raise CLIError("the stream ended without a final response", 1)
    printer.end(final)
    if args.json:
        print(final.model_dump_json(indent=2))
    printer.usage(final.usage)
    return 0


class _Printer:
    """Writes deltas as they come: text plain, thinking dimmed (or, without colour, to
    stderr, so stdout holds only the answer), tool calls when the response is whole."""

    def __init__(self, out: TextIO, err: TextIO, color: bool, live: bool) -> None:
        self.out, self.err, self.color, self.live = out, err, color, live
        self.last: str | None = None  # "text" or "thinking": a newline between the two
        self.wrote = False

    def delta(self, blocks: list[Any]) -> None:
        if not self.live:
            return
        for block in blocks:
            if block.type == "text" and block.text:
                self._write("text", block.text)
            elif block.type == "thinking" and block.thinking:
                self._write("thinking", block.thinking)

    def _write(self, kind: str, text: str) -> None:
        if self.last is not None and self.last != kind:
            self._target(self.last).write("\n")
        target = self._target(kind)
        if kind == "thinking" and self.color:
            target.write(f"{DIM}{text}{RESET}")
        else:
            target.write(text)
        target.flush()
        self.last = kind
        self.wrote = True

    def _target(self, kind: str) -> TextIO:
        return self.err if kind == "thinking" and not self.color else self.out

    def end(self, final: Any) -> None:
        if not self.live:
            return
        calls = [b for b in final.content if b.type == "tool_call"]
        for call in calls:
            self._write("text", f"\n[tool call] {call.name}({call.input})")
        if self.wrote:
            self._target(self.last or "text").write("\n")
            self.out.flush()

    def usage(self, usage: Any) -> None:
        if usage is None:
            return
        parts = [f"{usage.input_tokens:,} input"]
        if usage.cache_read_input_tokens or usage.cache_creation_input_tokens:
            cache = [f"{usage.cache_read_input_tokens:,} cached"]
            if usage.cache_creation_input_tokens:
                cache.append(f"{usage.cache_creation_input_tokens:,} written to cache")
            parts[0] += f" ({', '.join(cache)})"
        output = f"{usage.output_tokens:,} output"
        if usage.reasoning_tokens:
            output += f" ({usage.reasoning_tokens:,} reasoning)"
        parts.append(output)
        parts.append("cost unknown" if usage.cost is None else f"${usage.cost:.6f}")
        parts.append(f"{usage.time:.2f} s")
        print("usage: " + ", ".join(parts), file=self.err)
