"""Getting messages to Telegram and updates from it without loss: outbox pump, rate limiting, update
journal, leases, per-chat order."""
