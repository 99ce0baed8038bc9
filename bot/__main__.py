"""`python -m bot`: run the bot, or one of the administrative subcommands."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings

# Every import beyond the standard library happens once the command is known: `--help` and `parse`
# start in a fraction of the time the bot needs, and `migrate` never loads aiogram.


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Forum resolution tracker bot. Without a subcommand: apply migrations and run.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="apply migrations and run: polling, or webhook with WEBHOOK_URL (default)")
    sub.add_parser("migrate", help="apply pending database migrations and exit")
    sub.add_parser("doctor", help="check settings, database, Redis, the Bot API and directories")
    imp = sub.add_parser("import-orgs", help="register organizations from a CSV or XLSX file on disk")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="check the file and report, change nothing")
    parse = sub.add_parser("parse", help="parse a resolution (TXT, MD, DOCX) and print what was found")
    parse.add_argument("file", type=Path)
    parse.add_argument("--json", action="store_true", help="print JSON instead of a readable preview")
    report = sub.add_parser(
        "execution-report", help="the report on a published resolution's execution (DOCX)"
    )
    report.add_argument("resolution", type=int, help="the resolution's number (id)")
    report.add_argument("--output", "-o", type=Path, help="the file to write (default: a dated name here)")
    report.add_argument("--locale", choices=("ru", "en"), help="the document's language (default: LOCALE)")
    demo = sub.add_parser("demo", help="the whole cycle offline: emulator, real bot, personas; no token")
    demo.add_argument("--step", action="store_true", help="pause after each exchange")
    demo.add_argument(
        "--output", type=Path, default=Path("demo-output"), help="where to write the digest files"
    )
    demo.add_argument(
        "--web",
        action="store_true",
        help="after the tour, serve the dashboard over its data and print a local link (Ctrl+C stops)",
    )
    demo.add_argument("--web-port", type=int, default=8081, help="the dashboard's local port (with --web)")
    return parser


def load_settings() -> Settings:
    from pydantic import ValidationError

    from bot.config import ConfigError, Settings, describe_invalid

    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError(describe_invalid(exc)) from exc


def configure_logging(level: str, log_format: str) -> None:
    # Readable lines, or JSON lines with LOG_FORMAT=json; records carry update_id and user_id.
    from bot.runtime.logs import configure_logging as setup

    setup(level, log_format)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    if command == "demo":
        # The demo brings its own emulator, token and database: no settings are read.
        from bot.cli.demo import main as demo_main

        return demo_main(args.output, step=args.step, web_port=args.web_port if args.web else None)
    if command == "parse":
        # Parsing needs no settings, database or token: it must work on any machine.
        from bot.cli.parse import parse_document

        return parse_document(args.file, as_json=args.json)
    if command == "doctor":
        # The doctor reports unreadable settings as a failed check instead of exiting with status 2.
        from bot.cli.doctor import main as doctor_main

        return doctor_main(load_settings)
    from bot.config import ConfigError

    try:
        settings = load_settings()
        configure_logging(settings.log_level, settings.log_format)
        from bot.cli import commands as cli

        return asyncio.run(cli.dispatch(command, args, settings))
    except ConfigError as exc:
        # One line, no "error:" prefix: the sentence says what is wrong and what to do.
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
