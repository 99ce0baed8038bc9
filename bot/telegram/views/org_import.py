from __future__ import annotations

from bot.services.org_import import ImportResult
from bot.texts.i18n import Html, Translator
from bot.texts.text_split import split_lines


def import_report(t: Translator, result: ImportResult) -> list[str]:
    lines: list[str] = [
        t(
            "import.summary",
            added=len(result.added),
            duplicates=len(result.duplicates),
            rejected=len(result.rejected),
        )
    ]
    sections = (
        ("import.added_header", result.added),
        ("import.duplicates_header", result.duplicates),
        ("import.rejected_header", result.rejected),
    )
    for header, verdicts in sections:
        if not verdicts:
            continue
        lines.append("")
        lines.append(t(header))
        for verdict in verdicts:
            reason = Html(" — " + t(verdict.reason, **verdict.params)) if verdict.reason else Html("")
            lines.append(
                t(
                    "import.row",
                    row=verdict.row,
                    name=verdict.name or t.plain("import.no_name"),
                    reason=reason,
                )
            )
    return split_lines(lines)
