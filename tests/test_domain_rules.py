"""The pure parts of submitting a report and redeeming an invitation, and the evidence model."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain import EvidenceKind, InviteKind, ReportStatus, Role
from bot.domain.errors import DomainError
from bot.domain.evidence import EvidenceItem, evidence_from_text, new_evidence
from bot.domain.invitations import InviteFacts, RedeemOutcome, is_payload, redeem_decision
from bot.domain.reports import (
    MAX_EVIDENCE_ITEMS,
    ReportDraft,
    ReportFields,
    plan_submission,
    report_changes,
    submitted_fields,
)

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
DOC = EvidenceItem(
    EvidenceKind.DOCUMENT,
    file_id="f1",
    file_unique_id="u1",
    file_name="plan.pdf",
    mime_type="application/pdf",
    file_size=10,
    stored_path="/e/ab.pdf",
    sha256="ab",
    text="подпись",
)
LINK = EvidenceItem(EvidenceKind.LINK, url="https://school.example/news")


# --- evidence -------------------------------------------------------------------------------------------


def test_evidence_round_trips_through_fsm_data_without_empty_fields() -> None:
    data = DOC.to_data()
    assert data["kind"] == "document" and "url" not in data
    assert EvidenceItem.from_data(data) == DOC
    assert EvidenceItem.from_data(LINK.to_data()) == LINK


def test_evidence_from_older_dialog_data_ignores_unknown_keys() -> None:
    item = EvidenceItem.from_data({"kind": "text", "text": "заметка", "legacy": 1})
    assert item == EvidenceItem(EvidenceKind.TEXT, text="заметка")


def test_text_becomes_one_link_per_distinct_url_or_a_note() -> None:
    items = evidence_from_text("См. https://a.example/x, и https://a.example/x; и http://b.example/y.")
    assert [i.url for i in items] == ["https://a.example/x", "http://b.example/y"]
    assert all(i.kind is EvidenceKind.LINK for i in items)
    assert evidence_from_text("  Провели педсовет  ") == [
        EvidenceItem(EvidenceKind.TEXT, text="Провели педсовет")
    ]


@pytest.mark.parametrize(
    ("text", "key"), [("   ", "report.empty_evidence"), ("я" * 3001, "report.text_too_long")]
)
def test_text_evidence_refusals(text: str, key: str) -> None:
    with pytest.raises(DomainError) as caught:
        evidence_from_text(text)
    assert caught.value.key == key


def test_new_evidence_skips_files_the_report_already_has() -> None:
    other = EvidenceItem(EvidenceKind.PHOTO, file_unique_id="u2")
    assert new_evidence([DOC, other, LINK], {"u1"}) == [other, LINK]
    assert new_evidence([DOC], set()) == [DOC]


# --- report draft and submission ------------------------------------------------------------------------


def test_draft_round_trips_with_typed_evidence() -> None:
    draft = ReportDraft(7, ReportStatus.DONE, None, "Сделано", [DOC, LINK])
    again = ReportDraft.from_data(draft.to_data())
    assert again == draft
    assert again.has_file("u1") and not again.has_file("u9")
    assert again.room_for(MAX_EVIDENCE_ITEMS - 2) and not again.room_for(MAX_EVIDENCE_ITEMS - 1)


def test_submitted_fields_keep_the_old_comment_and_drop_a_stale_reason() -> None:
    previous = ReportFields(ReportStatus.NOT_APPLICABLE, "Старый", "Нет такого кружка")
    kept = submitted_fields(ReportDraft(1, ReportStatus.DONE, reason="забытая причина"), previous)
    assert kept == ReportFields(ReportStatus.DONE, "Старый", None)
    first = submitted_fields(ReportDraft(1, ReportStatus.IN_PROGRESS), None)
    assert first == ReportFields(ReportStatus.IN_PROGRESS, "", None)


@pytest.mark.parametrize(
    ("draft", "key"),
    [
        (ReportDraft(1), "report.no_status"),
        (ReportDraft(1, ReportStatus.NOT_APPLICABLE), "report.reason_empty"),
    ],
)
def test_submitted_fields_refuse_an_incomplete_draft(draft: ReportDraft, key: str) -> None:
    with pytest.raises(DomainError) as caught:
        submitted_fields(draft, None)
    assert caught.value.key == key


def test_report_changes_record_before_and_after() -> None:
    before = ReportFields(ReportStatus.IN_PROGRESS, "a", None)
    after = ReportFields(ReportStatus.NOT_APPLICABLE, "b", "причина")
    assert report_changes(before, after, 2) == {
        "status": ["in_progress", "not_applicable"],
        "comment": ["a", "b"],
        "reason": [None, "причина"],
        "evidence_added": 2,
    }
    assert report_changes(None, ReportFields(ReportStatus.DONE, "", None), 0) == {"status": [None, "done"]}
    assert report_changes(before, before, 0) == {}


def test_plan_refuses_a_resubmission_that_changes_nothing() -> None:
    previous = ReportFields(ReportStatus.DONE, "Готово", None)
    with pytest.raises(DomainError) as caught:
        plan_submission(ReportDraft(1, ReportStatus.DONE, evidence=[DOC]), previous, {"u1"})
    assert caught.value.key == "report.nothing_changed"


def test_plan_of_a_first_report_adds_every_item() -> None:
    plan = plan_submission(ReportDraft(1, ReportStatus.DONE, comment="Да", evidence=[DOC, LINK]), None, set())
    assert plan.fields == ReportFields(ReportStatus.DONE, "Да", None)
    assert plan.new_evidence == [DOC, LINK]
    assert plan.changes["evidence_added"] == 2


# --- redeeming invitations ------------------------------------------------------------------------------

MEMBER_LINK = InviteFacts(InviteKind.MEMBER, NOW + dt.timedelta(days=1))
OFFICIAL_LINK = InviteFacts(InviteKind.OFFICIAL, NOW + dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("invite", "role", "env_admin", "org_active", "outcome"),
    [
        (MEMBER_LINK, None, False, True, RedeemOutcome.JOINED),
        (MEMBER_LINK, Role.MEMBER, False, True, RedeemOutcome.JOINED),
        (MEMBER_LINK, None, False, False, RedeemOutcome.ORG_INACTIVE),
        (MEMBER_LINK, Role.OFFICIAL, False, True, RedeemOutcome.ALREADY_PRIVILEGED),
        (MEMBER_LINK, Role.ADMIN, False, True, RedeemOutcome.ALREADY_PRIVILEGED),
        (MEMBER_LINK, None, True, True, RedeemOutcome.ALREADY_PRIVILEGED),
        (OFFICIAL_LINK, None, False, False, RedeemOutcome.BECAME_OFFICIAL),
        (OFFICIAL_LINK, Role.MEMBER, False, False, RedeemOutcome.BECAME_OFFICIAL),
        (OFFICIAL_LINK, Role.OFFICIAL, False, False, RedeemOutcome.BECAME_OFFICIAL),
        (OFFICIAL_LINK, Role.ADMIN, False, False, RedeemOutcome.ALREADY_PRIVILEGED),
        (OFFICIAL_LINK, None, True, False, RedeemOutcome.ALREADY_PRIVILEGED),
    ],
)
def test_redeem_decision_by_role(
    invite: InviteFacts, role: Role | None, env_admin: bool, org_active: bool, outcome: RedeemOutcome
) -> None:
    assert redeem_decision(invite, NOW, role, env_admin, org_active) is outcome


def test_a_dead_link_is_refused_before_anything_about_the_person() -> None:
    revoked_and_used = InviteFacts(InviteKind.MEMBER, NOW + dt.timedelta(days=1), used=True, revoked=True)
    assert redeem_decision(revoked_and_used, NOW, Role.ADMIN, True, False) is RedeemOutcome.REVOKED
    used = InviteFacts(InviteKind.MEMBER, NOW - dt.timedelta(days=1), used=True)
    assert redeem_decision(used, NOW, None, False, True) is RedeemOutcome.USED
    expired = InviteFacts(InviteKind.OFFICIAL, NOW)
    assert redeem_decision(expired, NOW, None, False, True) is RedeemOutcome.EXPIRED


@pytest.mark.parametrize(
    ("code", "ok"), [("abc_DEF-123", True), ("", False), ("a" * 65, False), ("код", False), ("a b", False)]
)
def test_start_payload_shape(code: str, ok: bool) -> None:
    assert is_payload(code) is ok
