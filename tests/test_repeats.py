"""Issue 15, point 3: year over year on the two shared Smolensk resolutions (2018 and 2021).

Read side by side, five of the 2021 recommendations repeat 2018 ones almost word for word (or widen
them): 2.4 = 2.2 (стажёрские площадки), 3.1 ≈ 3.1, 3.3 ≈ 3.3, 3.4 ≈ 3.4, 4.2 ≈ 4.1. The others share
only the vocabulary of the field («дополнительного образования детей») and must not be matched.
"""

from __future__ import annotations

import io
from importlib import resources
from zoneinfo import ZoneInfo

from docx import Document
from sqlalchemy import select

from bot.domain import OrgKind, ReportStatus
from bot.domain.repeats import LinkState
from bot.parsing import parse_resolution
from bot.runtime.app import Runtime
from bot.services.execution_report import ExecutionReportService
from bot.services.repeats import best_matches
from bot.services.seed import seed_org
from storage.models import RecommendationLink, Report, Resolution
from storage.repositories import Repositories
from storage.repositories.documents import Candidate
from tests.conftest import START
from tests.helpers import admin, eventually
from tg_emulator import BotAPIEmulator, Persona, SentMessage

SAMPLES = resources.files("bot.samples")
SAMPLE_2018 = SAMPLES.joinpath("smolensk-2018-forum.txt").read_bytes()
SAMPLE_2021 = SAMPLES.joinpath("smolensk-2021-forum.md").read_bytes()
# 2021 item -> the 2018 item it repeats.
EXPECTED = {"2.4": "2.2", "3.1": "3.1", "3.3": "3.3", "3.4": "3.4", "4.2": "4.1"}


def candidates(data: bytes, filename: str, resolution_id: int) -> dict[str, Candidate]:
    """Every recommendation of a parsed resolution by its number; the id encodes the number."""
    parsed = parse_resolution(data, filename)
    found = {}
    for g, group in enumerate(parsed.groups, start=1):
        for r, text in enumerate(group.recommendations, start=1):
            found[f"{g}.{r}"] = Candidate(resolution_id * 1000 + g * 100 + r, group.category.value, text, 0)
    return found


def test_matching_finds_the_repeats_and_nothing_else() -> None:
    old = candidates(SAMPLE_2018, "2018.txt", 1)
    new = candidates(SAMPLE_2021, "2021.md", 2)
    number = {c.rec_id: n for n, c in (*old.items(), *new.items())}
    matches = best_matches(list(new.values()), list(old.values()), 80)
    assert {number[a]: number[b] for a, b, _ in matches} == EXPECTED
    assert all(80 <= score <= 100 for _, _, score in matches)
    # Of the same kind only: with the 2018 groups all addressed to another kind, nothing matches.
    others = [c._replace(kind=OrgKind.OTHER.value) for c in old.values()]
    assert best_matches(list(new.values()), others, 80) == []


async def seed_a_2018_report(app: Runtime) -> None:
    """One institution did 2018's 2.2 (a municipal task there).

    How far that one got shows in 2021's preview.
    """
    async with app.session_factory() as session:
        repo = Repositories(session)
        org = await seed_org(
            repo, "Отдел образования Вяземского района", OrgKind.MUNICIPAL, "Вяземский район"
        )
        res_2018 = await session.scalar(select(Resolution).order_by(Resolution.id))
        assert res_2018 is not None
        loaded = await repo.resolutions.get(res_2018.id)
        assert loaded is not None
        rec_2_2 = loaded.groups[1].recommendations[1]
        session.add(
            Report(organization_id=org.org.id, recommendation_id=rec_2_2.id, status=ReportStatus.DONE)
        )
        await session.commit()


def assert_repeats_preview(preview: SentMessage) -> None:
    lines = [line for line in preview.text.splitlines() if line.startswith("🔁")]
    assert [line.split(" — ")[0].removeprefix("🔁 ") for line in lines] == list(EXPECTED)
    assert "🔁 2.4 — повторяется: 2018, п. 2.2 (выполнено тогда: 1 из 1, 100%)" in preview.text
    # Nobody of that kind existed to do 2018's 3.1: no progress to speak of.
    assert "🔁 3.1 — повторяется: 2018, п. 3.1\n" in preview.text


async def unlink_3_1_and_confirm_2_4(app: Runtime, anna: Persona, preview: SentMessage) -> SentMessage:
    await anna.click(preview, "✕ 3.1: не повтор")
    await eventually(lambda: _state_of("3.1", app, LinkState.UNLINKED))
    preview = await anna.expect(contains="Повторы рекомендаций прежних лет")
    assert "🔁 3.1" not in preview.text and "🔁 3.3" in preview.text
    await anna.click(preview, "✓ 2.4: это повтор")
    await eventually(lambda: _state_of("2.4", app, LinkState.CONFIRMED))
    preview = await anna.expect(contains="· подтверждено")
    assert "🔁 2.4 — повторяется: 2018, п. 2.2 (выполнено тогда: 1 из 1, 100%) · подтверждено" in preview.text
    # A confirmed repeat keeps only its «unlink» button.
    labels = [text for row in preview.buttons for text, _ in row]
    assert "✓ 2.4: это повтор" not in labels and "✕ 2.4: не повтор" in labels
    return preview


async def publish_and_check_member_messages(
    emulator: BotAPIEmulator, app: Runtime, anna: Persona, preview: SentMessage
) -> None:
    """Published, the member's message of a repeated recommendation says so; the others do not."""
    async with app.session_factory() as session:
        await seed_org(Repositories(session), "ДДТ Вязьмы", OrgKind.INSTITUTION, "Вяземский район", [7100])
        await session.commit()
    head = emulator.add_user(7100, "Ирина", started=True)
    await anna.click(preview, "Опубликовать")
    confirm = await anna.expect(contains="Опубликовать резолюцию?")
    await anna.click(confirm, "Да, опубликовать")
    repeated = await head.expect(contains="Рекомендация 4.2")
    assert "🔁 Повторяет рекомендацию резолюции 2018 г. (п. 4.1)." in (repeated.text or "")
    plain = await head.expect(contains="Рекомендация 4.3")
    assert "Повторяет" not in (plain.text or "")


async def assert_rematch_and_execution_report(app: Runtime) -> None:
    """Matching again adds nothing: the unlinked pair stays unlinked, the rest stay as they were."""
    async with app.session_factory() as session:
        from bot.services.repeats import RepeatService
        from bot.services.resolutions import ResolutionService

        repo = Repositories(session)
        res_2021 = await session.scalar(select(Resolution).order_by(Resolution.id.desc()))
        assert res_2021 is not None
        service = RepeatService(repo, 80, ResolutionService(repo))
        assert await service.match(res_2021.id) == 0
        assert len((await service.preview(res_2021.id)).repeats) == len(EXPECTED) - 1
        # The report on execution says it too, in the repeated recommendation's section.
        report = await ExecutionReportService(repo, ZoneInfo("Europe/Moscow")).build(res_2021.id, START, "ru")
    body = "\n".join(p.text for p in Document(io.BytesIO(report.content)).paragraphs)
    section = body[body.index("Рекомендация 2.4") : body.index("Рекомендация 3.1")]
    assert "Повторяется: рекомендация п. 2.2 резолюции 2018 г.; тогда выполнено 1 из 1 (100 %)." in section
    assert "Повторяется" not in body[body.index("Рекомендация 3.1") : body.index("Рекомендация 3.2")]


async def test_import_shows_repeats_and_the_admin_confirms_or_unlinks(
    emulator: BotAPIEmulator, app: Runtime
) -> None:
    anna = await admin(emulator)
    await anna.send_document("smolensk-2018.txt", SAMPLE_2018)
    first = await anna.expect(contains="групп")
    assert "повторяется" not in first.text
    await seed_a_2018_report(app)

    await anna.send_document("smolensk-2021.md", SAMPLE_2021)
    preview = await anna.expect(contains="Повторы рекомендаций прежних лет")
    assert_repeats_preview(preview)
    preview = await unlink_3_1_and_confirm_2_4(app, anna, preview)
    await publish_and_check_member_messages(emulator, app, anna, preview)
    await assert_rematch_and_execution_report(app)


async def _state_of(number: str, app: Runtime, state: LinkState) -> bool:
    group, item = (int(x) for x in number.split("."))
    async with app.session_factory() as session:
        repo = Repositories(session)
        res_2021 = await session.scalar(select(Resolution).order_by(Resolution.id.desc()))
        assert res_2021 is not None
        loaded = await repo.resolutions.get(res_2021.id)
        assert loaded is not None
        rec = loaded.groups[group - 1].recommendations[item - 1]
        link = await session.scalar(select(RecommendationLink).where(RecommendationLink.rec_id == rec.id))
        return link is not None and link.state is state
