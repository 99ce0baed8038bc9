"""The Telegram side: callbacks, views and keyboards, texts (i18n and catalogs), middlewares, menus."""
