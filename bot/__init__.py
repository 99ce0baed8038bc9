"""Forum resolution tracker: a Telegram bot for regional education authorities."""
