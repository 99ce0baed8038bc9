"""The officials' dashboard, a Telegram Mini App: aiohttp routes, the initData check, static pages."""
