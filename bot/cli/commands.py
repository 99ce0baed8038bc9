"""The subcommands behind `python -m bot`."""

from __future__ import annotations

import argparse
import html
import logging
import re

from sqlalchemy.exc import SQLAlchemyError

from bot.config import ConfigError, Settings
from bot.domain.errors import DomainError
from bot.runtime.app import Runtime
from bot.runtime.webhook import check_webhook_settings
from bot.services.org_import import import_organizations
from bot.telegram.views.org_import import import_report
from bot.texts.i18n import translator
from storage.db import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.repositories import Repositories

log = logging.getLogger(__name__)


async def dispatch(command: str, args: argparse.Namespace, settings: Settings) -> int:
    handlers = {
        "run": run,
        "migrate": migrate,
        "import-orgs": import_orgs,
        "execution-report": execution_report,
    }
    return await handlers[command](args, settings)


async def execution_report(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: the document stack is no business of `run` or `migrate`.
    from bot.cli.execution_report import execution_report as build

    return await build(args, settings)


async def run(_args: argparse.Namespace, settings: Settings) -> int:
    if settings.webhook_url:
        check_webhook_settings(settings)
    async with Runtime(settings) as runtime:
        log.info("started as @%s against %s", runtime.me.username, settings.telegram_api_url)
        if settings.webhook_url:
            await runtime.run_webhook()
        else:
            await runtime.run_polling()
    log.info("stopped")
    return 0


async def migrate(_args: argparse.Namespace, settings: Settings) -> int:
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
    except (SQLAlchemyError, OSError) as exc:
        raise ConfigError(f"cannot migrate the database at DATABASE_URL: {str(exc).splitlines()[0]}") from exc
    finally:
        await engine.dispose()
    print("database is up to date")
    return 0


async def import_orgs(args: argparse.Namespace, settings: Settings) -> int:
    t = translator(settings.locale)
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}")
        return 2
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            repo = Repositories(session)
            try:
                result = await import_organizations(repo, data, args.file.name, dry_run=args.dry_run)
            except DomainError as err:
                print(f"error: {t.plain(err.key, **err.params)}")
                return 2
            await session.commit()
    finally:
        await engine.dispose()
    for part in import_report(t, result):
        print(_strip_tags(part))
    if args.dry_run:
        print(t.plain("import.dry_run"))
    return 0


def _strip_tags(text: str) -> str:
    return html.unescape(re.sub(r"</?[a-z][^>]*>", "", text))
