"""The ``specwire`` command: subcommands registered in one table."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence


def _demo(args: argparse.Namespace) -> int:
    from ._demo import main

    main()
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="specwire", description="LLM providers behind one async API.")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run an offline streamed and tool-calling chat")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)
