"""Every word a person sees: the Russian and English catalogs and the translator (plural forms, HTML
escaping of parameters). Imports nothing of the project but itself, so documents and the Telegram side
share it."""
