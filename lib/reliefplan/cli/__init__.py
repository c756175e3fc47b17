"""The ``reliefplan`` command: the library's jobs from a terminal.

Each verb lives in its own module that exposes ``register(subparsers)``;
the handler it sets returns the process exit code. Exit codes: 0 success,
1 the job ran and found problems (rejected rows, mismatches, failed units),
2 the input could not be used at all (unreadable file, bad arguments).

May import: every other layer (it is the top).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from reliefplan import __version__
from reliefplan.core.errors import ReliefplanError

# Verb modules, in the order shown by --help. A module missing from the
# install (a verb still being built) is skipped rather than breaking the rest.
VERB_MODULES = (
    "validate",
    "demo_data",
    "campaigns",
    "budget",
    "coverage",
    "calendar",
    "schedule",
    "report",
    "plan_doc",
    "app",
)


def print_notice(notice) -> None:
    """Print a (zh, en) warning, e.g. missing 低保 standards, to stderr where it cannot be missed."""
    if notice:
        print(f"警告 warning: {notice[0]}\n{notice[1]}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reliefplan",
        description="春节送温暖慰问活动规划 / Spring Festival relief campaign planning",
    )
    parser.add_argument("--version", action="version", version=f"reliefplan {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    for name in VERB_MODULES:
        try:
            module = importlib.import_module(f"reliefplan.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"reliefplan.cli.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except ReliefplanError as exc:
        print(f"错误 error: {exc.message()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
