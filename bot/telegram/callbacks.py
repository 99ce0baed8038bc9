"""Every button's data, through aiogram's CallbackData factories (short prefixes: 64 bytes is the limit)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class NewOrgKind(CallbackData, prefix="nk"):
    kind: str


class NewOrgMunicipality(CallbackData, prefix="nm"):
    code: str  # municipality_code(), "-" for none, "+" to type a new one


class NewOrgConfirm(CallbackData, prefix="nc"):
    ok: bool


class OrgList(CallbackData, prefix="ol"):
    kind: str = "-"
    muni: str = "-"
    page: int = 0


class OrgFilter(CallbackData, prefix="of"):
    what: str  # "kind" or "muni"
    kind: str = "-"
    muni: str = "-"


class OrgAction(CallbackData, prefix="oa"):
    action: str  # card, off, on, invite
    org_id: int


class InviteRevoke(CallbackData, prefix="ir"):
    invite_id: int
    org_id: int


class Cancel(CallbackData, prefix="x"):
    pass


class ReportOpen(CallbackData, prefix="ro"):
    """The button under each delivered recommendation; carries the real recommendation id."""

    rec_id: int


class DraftGroupKind(CallbackData, prefix="dg"):
    res_id: int
    group_id: int
    kind: str = ""


class DraftAction(CallbackData, prefix="da"):
    res_id: int
    action: str  # view, deadline, nodeadline, publish, confirm, discard, withdraw, progress


class ResolutionOpen(CallbackData, prefix="rs"):
    res_id: int


class ReportStatusPick(CallbackData, prefix="rsp"):
    rec_id: int
    status: str


class ReportStep(CallbackData, prefix="rss"):
    rec_id: int
    action: str  # keep_comment, evidence_done, no_evidence, submit, edit, cancel


class ReportList(CallbackData, prefix="rl"):
    page: int = 0


class RemindNow(CallbackData, prefix="rn"):
    res_id: int
    confirm: bool = False


class StatusNav(CallbackData, prefix="st"):
    """Officials' drill-down; `level` says which screen, the ids say where in the tree."""

    level: str  # list, res, munis, grp, muni, org, rep, hist
    res: int = 0
    grp: int = 0
    org: int = 0
    rec: int = 0
    muni: str = "-"
    page: int = 0


class EvidenceSend(CallbackData, prefix="ev"):
    report_id: int


class DigestPick(CallbackData, prefix="dp"):
    res: int = 0  # 0: every published resolution
    muni: str = "-"  # municipality_code(), "-" for all, "?" to choose one
