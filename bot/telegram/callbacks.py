"""Every button's data, through aiogram's CallbackData factories (short prefixes: 64 bytes is the limit).

Fields are typed: choices are StrEnums (aiogram packs their values) and integers are range-checked, so a
forged or stale button fails to unpack — the filter does not match and the fallback router answers that
the button is stale, before anything reaches the database (SQLite cannot bind an integer over 2**63-1).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from aiogram.filters.callback_data import CallbackData
from pydantic import AfterValidator, BeforeValidator, Field

from bot.domain import OrgKind, ReportStatus
from bot.domain.workcalendar import SnoozeDelay

MAX_ID = 2**63 - 1
MAX_PAGE = 10_000

Id = Annotated[int, Field(ge=0, le=MAX_ID)]
Page = Annotated[int, Field(ge=0, le=MAX_PAGE)]
Code = Annotated[str, Field(max_length=40)]


def _dash_is_none(value: Any) -> Any:
    # Buttons sent before the kind became an enum carried "-" for «any kind»; they keep working.
    return None if value == "-" else value


AnyKind = Annotated[OrgKind | None, BeforeValidator(_dash_is_none)]


class OrgFilterWhat(StrEnum):
    KIND = "kind"
    MUNI = "muni"


class OrgAct(StrEnum):
    CARD = "card"
    OFF = "off"
    ON = "on"
    INVITE = "invite"


class DraftAct(StrEnum):
    VIEW = "view"
    DEADLINE = "deadline"
    NO_DEADLINE = "nodeadline"
    PUBLISH = "publish"
    CONFIRM = "confirm"
    DISCARD = "discard"
    WITHDRAW = "withdraw"


class ReportAct(StrEnum):
    KEEP_COMMENT = "keep_comment"
    EVIDENCE_DONE = "evidence_done"
    NO_EVIDENCE = "no_evidence"
    SUBMIT = "submit"
    EDIT = "edit"
    CANCEL = "cancel"


class StatusLevel(StrEnum):
    LIST = "list"
    RES = "res"
    MUNIS = "munis"
    GRP = "grp"
    MUNI = "muni"
    ORG = "org"
    REP = "rep"
    HIST = "hist"


class NewOrgKind(CallbackData, prefix="nk"):
    kind: OrgKind


class NewOrgMunicipality(CallbackData, prefix="nm"):
    code: Code  # municipality_code(), "-" for none, "+" to type a new one


class NewOrgConfirm(CallbackData, prefix="nc"):
    ok: bool


class OrgList(CallbackData, prefix="ol"):
    kind: AnyKind = None  # None: every kind
    muni: Code = "-"
    page: Page = 0


class OrgFilter(CallbackData, prefix="of"):
    what: OrgFilterWhat
    kind: AnyKind = None
    muni: Code = "-"


class OrgAction(CallbackData, prefix="oa"):
    action: OrgAct
    org_id: Id


class InviteRevoke(CallbackData, prefix="ir"):
    invite_id: Id
    org_id: Id


class Cancel(CallbackData, prefix="x"):
    pass


class ReportOpen(CallbackData, prefix="ro"):
    """The button under each delivered recommendation; carries the real recommendation id."""

    rec_id: Id


class DraftGroupKind(CallbackData, prefix="dg"):
    res_id: Id
    group_id: Id
    kind: OrgKind | None = None  # None: show the kinds to choose from


class DraftAction(CallbackData, prefix="da"):
    res_id: Id
    action: DraftAct


class ResolutionOpen(CallbackData, prefix="rs"):
    res_id: Id


class ReportStatusPick(CallbackData, prefix="rsp"):
    rec_id: Id
    status: ReportStatus


class ReportStep(CallbackData, prefix="rss"):
    rec_id: Id
    action: ReportAct


class ReportList(CallbackData, prefix="rl"):
    page: Page = 0


class RemindNow(CallbackData, prefix="rn"):
    res_id: Id
    confirm: bool = False


class StatusNav(CallbackData, prefix="st"):
    """Officials' drill-down; `level` says which screen, the ids say where in the tree."""

    level: StatusLevel
    res: Id = 0
    grp: Id = 0
    org: Id = 0
    rec: Id = 0
    muni: Code = "-"
    page: Page = 0


class EvidenceSend(CallbackData, prefix="ev"):
    report_id: Id


class DigestPick(CallbackData, prefix="dp"):
    res: Id = 0  # 0: every published resolution
    muni: Code = "-"  # municipality_code(), "-" for all, "?" to choose one


# --- review (issue 13) ---


class ReviewAct(StrEnum):
    ACCEPT = "accept"
    RETURN = "return"
    REOPEN = "reopen"


class ReviewFilterWhat(StrEnum):
    RES = "res"
    GRP = "grp"
    MUNI = "muni"


class ReviewNav(CallbackData, prefix="rv"):
    """The /review queue under a filter; `skip` is how many of the oldest items «Следующий» passed."""

    res: Id = 0  # 0: every resolution
    grp: Id = 0  # 0: every addressee group (only with a resolution)
    muni: Code = "-"  # municipality_code(), "-" for every municipality
    skip: Page = 0


class ReviewFilter(CallbackData, prefix="rf"):
    """Opens the choices of one filter, keeping the others."""

    what: ReviewFilterWhat
    res: Id = 0
    grp: Id = 0
    muni: Code = "-"


class MunicipalDecisions(CallbackData, prefix="rmd"):
    """The department's list of a resolution's reports last decided by municipal authorities (to check
    and override them), newest decision first; `skip` is how many «Следующее» passed."""

    res: Id
    skip: Page = 0


class ReviewDecide(CallbackData, prefix="rd"):
    """A decision on a report as it was shown: a button from an older version is refused."""

    action: ReviewAct
    report_id: Id
    version: Id


class ReviewHistory(CallbackData, prefix="rh"):
    report_id: Id


class ReviewMute(CallbackData, prefix="rm"):
    mute: bool


class ReportRevise(CallbackData, prefix="rr"):
    """«📝 Доработать» under a returned report: opens the member's dialog prefilled."""

    rec_id: Id


# --- extensions ---


class ExtDecision(StrEnum):
    APPROVE = "ok"
    DENY = "no"


class EvidenceRemove(CallbackData, prefix="erm"):
    """«🗑» in the evidence step: take an earlier item off the report (kept in history)."""

    rec_id: Id
    evidence_id: Id


class ExtensionAsk(CallbackData, prefix="xa"):
    """«🗓 Перенести срок» under a recommendation or in its report dialog."""

    rec_id: Id


class ExtensionList(CallbackData, prefix="xl"):
    page: int = Field(0, ge=0, le=10_000)


class ExtensionOpen(CallbackData, prefix="xo"):
    ext_id: Id


class ExtensionDecide(CallbackData, prefix="xd"):
    ext_id: Id
    decision: ExtDecision


class ExtensionCancel(CallbackData, prefix="xc"):
    """Leaves the member's request or the official's denial comment unsent."""


class RepeatDecision(CallbackData, prefix="rp"):
    """The admin's word on a year-over-year repeat found at import: confirm it, or unlink it."""

    link_id: Id
    confirm: bool = False


class LetterScope(StrEnum):
    START = "start"  # show the choice
    ALL = "all"
    KIND = "kind"
    MUNIS = "munis"  # show the municipalities to choose from
    MUNI = "muni"
    UNSTAFFED = "none"


class DocumentReport(CallbackData, prefix="dr"):
    """«Документы»: the report on execution of one published resolution."""

    res_id: Id


class LetterPick(CallbackData, prefix="lp"):
    """Invitation letters: whom to write to."""

    scope: LetterScope
    kind: AnyKind = None
    muni: Code = "-"  # municipality_code() with scope MUNI


class LetterGo(CallbackData, prefix="lg"):
    """Invitation letters: make them, revoking the organizations' earlier unused invitations or not."""

    scope: LetterScope
    kind: AnyKind = None
    muni: Code = "-"
    revoke: bool = True


# --- people ---
class GrantRole(StrEnum):
    """Only the roles /grant can give: a forged button with any other role fails to unpack."""

    ADMIN = "admin"
    OFFICIAL = "official"


class GrantConfirm(CallbackData, prefix="gc"):
    """«Grant anyway» after the warning that the person leaves her organization; ok=False keeps things."""

    telegram_id: Id
    role: GrantRole
    ok: bool


class StrayFilePick(CallbackData, prefix="sf"):
    """The recommendation a file sent outside a dialog is evidence for."""

    rec_id: Id


# --- municipal authorities: reachability (issue 14) ---


class ReachNav(CallbackData, prefix="rch"):
    """A municipal authority's institutions with nobody registered, one page of them."""

    page: Page = 0


class ReachInvite(CallbackData, prefix="rci"):
    """One tap on such an institution: a member invitation for it, ready to forward."""

    org_id: Id


# --- working calendar: «Напомнить позже» ---


def day_code(day: dt.date) -> int:
    """A date as the integer ГГГГММДД: short, and range-checked like every other field."""
    return day.year * 10_000 + day.month * 100 + day.day


def code_day(code: int) -> dt.date:
    return dt.date(code // 10_000, code // 100 % 100, code % 100)


def _real_day(code: int) -> int:
    code_day(code)  # 20271399 is no date: ValueError, and the button does not unpack
    return code


DayCode = Annotated[int, Field(ge=20000101, le=21001231), AfterValidator(_real_day)]


class SnoozeAsk(CallbackData, prefix="sz"):
    """«⏰ Напомнить позже» under a deadline reminder: the organization's items of `res` due on `day`."""

    res: Id
    day: DayCode


class SnoozePick(CallbackData, prefix="szp"):
    """One of the choices: in a day, in three days, a week before the deadline."""

    res: Id
    day: DayCode
    delay: SnoozeDelay


# --- delegated review ---


class DelegationMode(StrEnum):
    ON = "on"  # municipal authorities review their institutions' reports
    OFF = "off"  # the department reviews everything
    DEFAULT = "default"  # follow REVIEW_DELEGATION


class DelegationSwitch(CallbackData, prefix="rvd"):
    """The department's switch of delegated review for one resolution: on the admin's resolution screen,
    or (`queue`) in /review filtered by the resolution."""

    res_id: Id
    mode: DelegationMode
    queue: bool = False
