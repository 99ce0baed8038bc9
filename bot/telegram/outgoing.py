"""The Telegram side of message intents: catalog texts in the recipient's locale, buttons, outbox rows.

Implements bot.services.ports.MessageRenderer. Services decide who gets what; this decides how it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from bot.delivery.outgoing import Outgoing
from bot.services.intents import (
    BatchProgress,
    DeliveryReport,
    DigestParts,
    ExtensionDecided,
    ExtensionRequested,
    MessageIntent,
    PublicationIntro,
    RecommendationIntent,
    Reminder,
    ReviewDecisionNotice,
    ReviewQueueNotice,
)
from bot.services.ports import OutboxRow
from bot.telegram.views.dashboard import dashboard_markup
from bot.telegram.views.delivery import (
    delivery_report_lines,
    intro_text,
    progress_text,
    recommendation_text,
    reminder_keyboard,
    reminder_text,
    report_button,
)
from bot.telegram.views.extensions import decided_text, requested_notice
from bot.telegram.views.review import decision_notice, queue_notice
from bot.texts.i18n import Translator, translator
from bot.texts.text_split import split_lines


class TelegramRenderer:
    """Renders intents for Telegram; `default_locale` speaks to people who never chose a language."""

    def __init__(self, default_locale: str, webapp_url: str | None = None) -> None:
        self.default_locale = default_locale
        # WEBAPP_URL: digests carry a button that opens the dashboard; None, no button.
        self.webapp_url = webapp_url
        self._render: dict[type, Callable[[Any], list[Outgoing]]] = {
            PublicationIntro: self._intro,
            RecommendationIntent: self._recommendation,
            Reminder: self._reminder,
            DigestParts: self._digest,
            DeliveryReport: self._report,
            ReviewDecisionNotice: self._review_decision,
            ReviewQueueNotice: self._review_queue,
            ExtensionDecided: self._extension,
            ExtensionRequested: self._extension_request,
        }

    def translator(self, locale: str | None) -> Translator:
        return translator(locale or self.default_locale)

    def rows(self, intents: Iterable[MessageIntent]) -> list[OutboxRow]:
        return [message.row() for intent in intents for message in self._render[type(intent)](intent)]

    def progress_text(self, progress: BatchProgress) -> str:
        return progress_text(self.translator(progress.locale), progress)

    def _intro(self, intent: PublicationIntro) -> list[Outgoing]:
        t, to = self.translator(intent.to.locale), intent.to
        text = intro_text(t, intent.resolution, list(intent.groups), intent.org_name)
        return [Outgoing(intent.dedup_key, to.chat_id, text, person_id=to.person_id, batch=intent.batch)]

    def _recommendation(self, intent: RecommendationIntent) -> list[Outgoing]:
        t, to = self.translator(intent.to.locale), intent.to
        return [
            Outgoing(
                intent.dedup_key,
                to.chat_id,
                recommendation_text(t, intent.resolution, intent.group, intent.rec, intent.repeat),
                reply_markup=report_button(t, intent.rec.id),
                person_id=to.person_id,
                batch=intent.batch,
            )
        ]

    def _reminder(self, intent: Reminder) -> list[Outgoing]:
        t, to = self.translator(intent.to.locale), intent.to
        text, markup = reminder_text(t, intent), reminder_keyboard(t, intent)
        return [Outgoing(intent.dedup_key, to.chat_id, text, reply_markup=markup, person_id=to.person_id)]

    def _digest(self, intent: DigestParts) -> list[Outgoing]:
        t, to, key, files = self.translator(intent.to.locale), intent.to, intent.dedup_key, intent.files
        common: dict[str, Any] = {"chat_id": to.chat_id, "person_id": to.person_id}
        last = len(intent.text_parts) - 1
        button = dashboard_markup(t, self.webapp_url, intent.resolution_id) if self.webapp_url else None
        messages = [
            Outgoing(
                dedup_key=f"{key}:text{i}", text=part, reply_markup=button if i == last else None, **common
            )
            for i, part in enumerate(intent.text_parts)
        ]
        messages.append(
            Outgoing(
                dedup_key=f"{key}:xlsx",
                method="sendDocument",
                file_path=str(files.workbook),
                file_name=t.plain("digest.file_name", day=files.day.isoformat()),
                text=t("digest.xlsx_caption"),
                **common,
            )
        )
        messages.append(
            Outgoing(
                dedup_key=f"{key}:png",
                method="sendPhoto",
                file_path=str(files.chart),
                text=t("digest.chart_caption"),
                **common,
            )
        )
        return messages

    def _extension(self, intent: ExtensionDecided) -> list[Outgoing]:
        t, to = self.translator(intent.to.locale), intent.to
        text, markup = decided_text(t, intent), report_button(t, intent.rec.id)
        return [Outgoing(intent.dedup_key, to.chat_id, text, reply_markup=markup, person_id=to.person_id)]

    def _extension_request(self, intent: ExtensionRequested) -> list[Outgoing]:
        t, to = self.translator(intent.to.locale), intent.to
        text, markup = requested_notice(t, intent)
        return [Outgoing(intent.dedup_key, to.chat_id, text, reply_markup=markup, person_id=to.person_id)]

    def _report(self, intent: DeliveryReport) -> list[Outgoing]:
        t, to = self.translator(intent.to.locale), intent.to
        parts = split_lines(delivery_report_lines(t, intent))
        return [
            Outgoing(f"{intent.dedup_key}:{i}", to.chat_id, part, person_id=to.person_id)
            for i, part in enumerate(parts)
        ]

    def _review_decision(self, intent: ReviewDecisionNotice) -> list[Outgoing]:
        t, to = self.translator(intent.to.locale), intent.to
        text, markup = decision_notice(t, intent)
        return [Outgoing(intent.dedup_key, to.chat_id, text, reply_markup=markup, person_id=to.person_id)]

    def _review_queue(self, intent: ReviewQueueNotice) -> list[Outgoing]:
        t, to = self.translator(intent.to.locale), intent.to
        text, markup = queue_notice(t, intent)
        return [Outgoing(intent.dedup_key, to.chat_id, text, reply_markup=markup, person_id=to.person_id)]
