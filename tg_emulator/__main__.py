"""Runs the emulator on its own: `python -m tg_emulator --port 8081 --token 123456:TEST`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from tg_emulator.emulator import BotAPIEmulator


def _parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tg_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST")
    parser.add_argument("--bot-username", default="test_bot")
    parser.add_argument("--rate-limit", type=float, default=30.0, help="sends per second; 0 turns it off")
    parser.add_argument("--per-chat-rate", type=float, default=0.0, help="sends per second per chat; 0 = off")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="ID:NAME",
        help="a user who has already started the bot (repeatable)",
    )
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    emulator = BotAPIEmulator(
        args.token,
        bot_username=args.bot_username,
        host=args.host,
        port=args.port,
        rate_limit=args.rate_limit or None,
        per_chat_rate=args.per_chat_rate or None,
    )
    for spec in args.user:
        user_id, _, name = spec.partition(":")
        emulator.add_user(int(user_id), name or f"User {user_id}", started=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with emulator:
        print(emulator.base_url, flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve(_parse_args(argv)))


if __name__ == "__main__":
    main()
