"""The subcommands that need settings and the database: `run`, `migrate`, `import-orgs`.

Each imports what it uses when it runs: `migrate` must not pay for aiogram and the bot's handlers, and
nothing here may slow down `--help` or `parse`, which never reach this module's commands.
"""

from __future__ import annotations

import argparse
import html
import logging
import re
import sys
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings

if TYPE_CHECKING:
    from bot.services.org_import import ImportResult

log = logging.getLogger(__name__)


async def dispatch(command: str, args: argparse.Namespace, settings: Settings) -> int:
    from bot.texts.i18n import translator
    from storage.db import DatabaseUrlError

    handlers = {
        "run": run,
        "migrate": migrate,
        "import-orgs": import_orgs,
        "execution-report": execution_report,
    }
    try:
        return await handlers[command](args, settings)
    except DatabaseUrlError as exc:
        # storage knows nothing of the settings; the CLI says it the way it says every setting's mistake.
        raise ConfigError(translator(settings.default_locale).plain(exc.key, **exc.params)) from exc


async def execution_report(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: the document stack is no business of `run` or `migrate`.
    from bot.cli.execution_report import execution_report as build

    return await build(args, settings)


async def run(_args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime.app import Runtime
    from bot.runtime.checks import check_dependencies

    if settings.webhook_url:
        # The webhook's server (aiohttp.web) is no business of polling.
        from bot.runtime.webhook import check_webhook_settings

        check_webhook_settings(settings)
    # Before anything starts: a bot that cannot keep dialogs or files would leave people unanswered.
    await check_dependencies(settings)
    if settings.forced_locale:
        await apply_forced_locale(settings)
    async with Runtime(settings) as runtime:
        log.info("started as @%s against %s", runtime.me.username, settings.telegram_api_url)
        if settings.webhook_url:
            await runtime.run_webhook()
        else:
            await runtime.run_polling()
    log.info("stopped")
    return 0


async def migrate(_args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.texts.i18n import translator
    from storage.db import create_engine
    from storage.migrate import pending_revisions, revisions_in_order, upgrade

    t = translator(settings.default_locale)
    engine = create_engine(settings.database_url)
    try:
        pending = await pending_revisions(engine)
        await upgrade(engine)
    except (SQLAlchemyError, OSError) as exc:
        reason = str(exc).splitlines()[0]
        raise ConfigError(t.plain("cli.migrate_failed", reason=reason)) from exc
    finally:
        await engine.dispose()
    if pending:
        # Alembic lists them newest first; people read them in the order they were applied.
        print(t.plain("cli.migrated", revisions=", ".join(reversed(pending))))
    else:
        print(t.plain("cli.migrate_nothing", revision=revisions_in_order()[-1]))
    return 0


async def import_orgs(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.files import read_input
    from bot.domain.errors import DomainError
    from bot.telegram.views.org_import import import_report
    from bot.texts.i18n import translator

    t = translator(settings.default_locale)
    try:
        data = read_input(args.file)
    except DomainError as err:
        print(t.plain(err.key, **err.params), file=sys.stderr)
        return 2
    try:
        result = await _import(settings, data, args.file.name, dry_run=args.dry_run)
    except DomainError as err:
        print(_strip_tags(t(err.key, **err.params)), file=sys.stderr)
        return 2
    for part in import_report(t, result):
        print(_strip_tags(part))
    if args.dry_run:
        print(t.plain("import.dry_run"))
    return 0


async def _import(settings: Settings, data: bytes, name: str, *, dry_run: bool) -> ImportResult:
    """The organizations of a file in one transaction; a refusal (DomainError) changes nothing."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.services.org_import import import_organizations
    from storage.db import create_engine, create_session_factory
    from storage.migrate import upgrade
    from storage.repositories import Repositories

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            result = await import_organizations(Repositories(session), data, name, dry_run=dry_run)
            await session.commit()
            return result
    except (SQLAlchemyError, OSError) as exc:
        raise _database_failed(settings, exc) from exc
    finally:
        await engine.dispose()


async def apply_forced_locale(settings: Settings) -> None:
    """With LOCALE=ru or en, messages the bot sends on its own (publications, reminders, digests) follow
    it too, also to people who have not written since the setting changed."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import create_engine, create_session_factory
    from storage.migrate import upgrade
    from storage.repositories import Repositories

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as session:
            await Repositories(session).people.force_language(settings.forced_locale or "")
            await session.commit()
    except (SQLAlchemyError, OSError) as exc:
        raise _database_failed(settings, exc) from exc
    finally:
        await engine.dispose()


def _database_failed(settings: Settings, exc: Exception) -> ConfigError:
    from bot.texts.i18n import translator

    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ConfigError(translator(settings.default_locale).plain("cli.database_failed", reason=reason))


def _strip_tags(text: str) -> str:
    return html.unescape(re.sub(r"</?[a-z][^>]*>", "", text))
