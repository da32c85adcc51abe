"""``python -m codegen [--out DIR]``: regenerate ``generated/`` from ``spec/``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .load import SpecError
from .render import generate

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--spec", type=Path, default=ROOT / "spec", help="spec folder")
    parser.add_argument("--out", type=Path, default=ROOT / "generated", help="output folder")
    parser.add_argument(
        "--dialect-docs", type=Path, metavar="FILE", help="write the dialect reference (only)"
    )
    args = parser.parse_args(argv)
    if args.dialect_docs is not None:
        from .contract import dialects_markdown

        args.dialect_docs.write_text(dialects_markdown())
        print(f"regenerate: wrote {args.dialect_docs}")
        return 0
    try:
        written = generate(args.spec, args.out)
    except SpecError as exc:
        print(f"regenerate: {exc}", file=sys.stderr)
        return 1
    print(f"regenerate: wrote {len(written)} files into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
