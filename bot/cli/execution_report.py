"""`python -m bot execution-report RESOLUTION_ID [--output FILE]`: the report on execution as a DOCX file."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import Settings
from bot.domain.clock import SystemClock
from bot.domain.errors import DomainError
from bot.services.execution_report import ExecutionReportService
from bot.texts.i18n import translator
from bot.texts.titles import normalize_title
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.repositories import Repositories


async def execution_report(args: argparse.Namespace, settings: Settings) -> int:
    t = translator(args.locale or settings.default_locale)
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            repo = Repositories(session)
            service = ExecutionReportService(repo, settings.tz)
            try:
                document = await service.build(args.resolution, SystemClock().now(), t.locale)
            except DomainError as err:
                print(t.plain(err.key, **err.params), file=sys.stderr)
                for resolution in await repo.resolutions.published():
                    print(f"  {resolution.id}: {normalize_title(resolution.title)}", file=sys.stderr)
                return 2
    finally:
        await engine.dispose()
    output: Path = args.output or Path(document.file_name)
    try:
        await asyncio.to_thread(output.write_bytes, document.content)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        print(t.plain("cli.folder_unusable", path=output.parent, reason=reason), file=sys.stderr)
        return 2
    print(f"{output} ({len(document.content) // 1024} KB)")
    return 0
