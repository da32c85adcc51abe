"""The ``specwire`` command: one subparser per subcommand, each with its handler.

To add a subcommand, write ``_add_<name>(commands)`` registering its parser with
``set_defaults(handler=...)`` and list it in ``build_parser``; a handler returns the
exit status and raises ``CLIError`` for a one-line usage error (``main`` turns any other
exception into one line too).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from ._cli_chat import CLIError

FAMILIES = ("chat", "embedding", "tts", "realtime")


# ---------------------------------------------------------------------- demo
def _demo(args: argparse.Namespace) -> int:
    if args.which == "realtime":
        from ._realtime_demo import main as realtime_main

        realtime_main()
        return 0
    from ._demo import main

    main()
    return 0


def _add_demo(commands: Any) -> None:
    demo = commands.add_parser("demo", help="run an offline streamed and tool-calling chat")
    demo.add_argument(
        "which", nargs="?", choices=("chat", "realtime"), default="chat", help="which demo"
    )
    demo.set_defaults(handler=_demo)


# -------------------------------------------------------------------- models
def _models(args: argparse.Namespace) -> int:
    from ._cards.catalog import iter_catalog, providers

    known = providers()
    provider = args.provider.lower() if args.provider is not None else None
    if provider is not None and provider not in known:
        raise CLIError(f"unknown provider {args.provider!r}; known: {', '.join(sorted(known))}")
    entries = [
        e
        for e in iter_catalog(provider, args.family)
        if args.status is None or e.card.status == args.status
    ]
    if args.json:
        rows = [
            {
                "provider": e.provider,
                "family": e.family,
                "model_class": e.model_class.__name__,
                **e.card.model_dump(mode="json"),
            }
            for e in entries
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    table = [
        (
            e.provider,
            e.family,
            e.card.name,
            e.card.status,
            _count(getattr(e.card, "context_size", None)),
            _count(getattr(e.card, "output_size", None)),
            _capabilities(e.card),
            e.model_class.__name__,
        )
        for e in entries
    ]
    # CLASS last: a card shared by two classes (OpenAI chat and Responses) shows per class
    header = ("PROVIDER", "FAMILY", "MODEL", "STATUS", "CONTEXT", "OUTPUT", "CAPABILITIES", "CLASS")
    print(_format_table(header, table, right_aligned={4, 5}))
    return 0


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _kinds(types: list[str]) -> list[str]:
    """MIME types as short words: text, image, video, audio, pdf, thinking, embedding."""
    words = {
        "application/pdf": "pdf",
        "application/x-thinking": "thinking",
        "application/x-embedding": "embedding",
    }
    kinds: list[str] = []
    for mime in types:
        kind = words.get(mime, mime.split("/", 1)[0])
        if kind not in kinds:
            kinds.append(kind)
    return kinds


def _capabilities(card: Any) -> str:
    text = f"{' '.join(_kinds(card.input_types))} -> {' '.join(_kinds(card.output_types))}"
    voices = getattr(card, "voices", None)
    if voices is not None:
        text += f"; {len(voices)} voice{'s' if len(voices) != 1 else ''}"
        text += ", realtime" if getattr(card, "realtime", False) else ""
    dimensions = card.parameter_schema.get("properties", {}).get("dimensions")
    if card.type == "embedding_model" and dimensions:
        if dimensions.get("enum"):
            text += f"; dims {'/'.join(str(s) for s in dimensions['enum'])}"
        elif dimensions.get("maximum"):
            text += f"; dims up to {dimensions['maximum']}"
    return text


def _format_table(
    header: tuple[str, ...], rows: Sequence[tuple[str, ...]], right_aligned: set[int]
) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in right_aligned else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    return "\n".join(line(r) for r in [header, *rows])


def _add_models(commands: Any) -> None:
    models = commands.add_parser(
        "models",
        help="list model cards as a table or JSON",
        description="List the model cards of every provider (or one), as found from each "
        "credential class.",
    )
    models.add_argument("provider", nargs="?", help="provider id, e.g. openai or dashscope")
    models.add_argument("--family", choices=FAMILIES, help="only this model family")
    models.add_argument(
        "--status", choices=("active", "deprecated", "sunset"), help="only this lifecycle status"
    )
    models.add_argument(
        "--json", action="store_true", help="full cards (parameter schemas included) as JSON"
    )
    models.set_defaults(handler=_models)


# --------------------------------------------------------------------- cards
def _cards(args: argparse.Namespace) -> int:
    from ._cards.catalog import browser_data, iter_catalog

    data = browser_data(list(iter_catalog()))
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    from ._cards.browser import write_card_browser

    page = write_card_browser(Path(args.html), data)
    count = sum(len(cards) for p in data["providers"] for cards in p["families"].values())
    print(f"specwire cards: wrote {page} ({count} cards, {len(data['providers'])} providers)")
    return 0


def _add_cards(commands: Any) -> None:
    cards = commands.add_parser(
        "cards",
        help="write the static card browser, or the whole card catalog as JSON",
        description="Write a static card browser page (no server needed) or print the catalog.",
    )
    target = cards.add_mutually_exclusive_group(required=True)
    target.add_argument("--html", metavar="DIR", help="write DIR/index.html")
    target.add_argument("--json", action="store_true", help="print the catalog as JSON")
    cards.set_defaults(handler=_cards)


# ---------------------------------------------------------------------- main
class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (and exit status 2), not a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    from . import __version__
    from ._cli_chat import add_chat_parser

    parser = _Parser(prog="specwire", description="LLM providers behind one async API.")
    parser.add_argument("--version", action="version", version=f"specwire {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for add in (add_chat_parser, _add_demo, _add_models, _add_cards):
        add(commands)
    from ._cli_embed import add_embed

    add_embed(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line. Every failure is one line on stderr and an exit status
    (1: the call or the environment failed, 2: usage), never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # bare `specwire`
        parser.print_help()
        return 0
    handler: Callable[[argparse.Namespace], int] = args.handler
    prog = f"specwire {args.command}"
    try:
        return handler(args)
    except CLIError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return exc.status
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one line for anything else, never a traceback
        print(f"{prog}: {_one_line(exc)}", file=sys.stderr)
        return 1


def _one_line(exc: BaseException) -> str:
    """An exception as one readable line."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    errors = getattr(exc, "errors", None)
    if type(exc).__name__ == "ValidationError" and callable(errors):
        shown = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in errors()[:3]
        )
        return f"invalid value: {shown}"
    text = " ".join(str(exc).split()) or "no details"
    return f"{type(exc).__name__}: {text}"
