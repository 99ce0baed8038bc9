"""The officials' dashboard: who may look, and the read-only figures and lists they see.

Every method takes the caller's scope (bot.domain.scope) and never returns anything outside it.
Results are plain JSON-able dicts: the web layer only serialises them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import asdict, dataclass
from typing import Any

from bot.domain import OrgKind, ReportStatus, ReviewState, RevisionEvent, Role
from bot.domain.delegation import stands_by
from bot.domain.errors import DomainError
from bot.domain.ranking import Standing, Thresholds, rank_municipalities
from bot.domain.scope import REGION, ViewScope, view_scope
from bot.services.dashboard_overview import OverviewFigures, count_overview
from storage.repositories import Repositories
from storage.repositories.dashboard import EvidenceFile, MatrixQuery, OrgRow, ReportRow
from storage.repositories.digest import DigestRepo, GroupInfo, RecInfo, Scope

PAGE_SIZE = 50
OVERDUE_LISTED = 20
NO_ANSWER = "no_answer"
NOT_ADDRESSED = "-"
STATUS_FILTERS = frozenset({*(s.value for s in ReportStatus), NO_ANSWER})
REVIEW_FILTERS = frozenset(s.value for s in ReviewState)


class OverviewCache:
    """Overviews already computed, by scope and data version. Counting 600,000 cells takes the database
    about a tenth of a second; the key changes with any new report, revision or organization, and `ttl`
    bounds what it cannot see (a status changed in place) to a minute."""

    def __init__(self, ttl: float = 60.0, size: int = 64) -> None:
        self.ttl = ttl
        self.size = size
        self._items: OrderedDict[Hashable, tuple[float, dict[str, Any]]] = OrderedDict()
        self._counting: dict[Hashable, asyncio.Future[dict[str, Any]]] = {}

    def get(self, key: Hashable) -> dict[str, Any] | None:
        found = self._items.get(key)
        if found is None or time.monotonic() - found[0] > self.ttl:
            return None
        self._items.move_to_end(key)
        return found[1]

    async def compute(self, key: Hashable, count: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
        """Counts once per key at a time: a request that arrives while the same figures are being
        counted (by the warmer, bot/web/warmup.py, or another official) waits for them."""
        counting = self._counting.get(key)
        if counting is not None:
            return await asyncio.shield(counting)
        done: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        done.add_done_callback(_retrieve)
        self._counting[key] = done
        try:
            value = await count()
        except BaseException as exc:
            done.set_exception(exc)
            raise
        finally:
            self._counting.pop(key, None)
        done.set_result(value)
        self.put(key, value)
        return value

    def clear(self) -> None:
        self._items.clear()

    def put(self, key: Hashable, value: dict[str, Any]) -> None:
        self._items[key] = (time.monotonic(), value)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


def _retrieve(done: asyncio.Future[Any]) -> None:
    """A failed count nobody else waited for is not an «exception never retrieved» warning: the caller
    that counted has it already."""
    if not done.cancelled():
        done.exception()


# One per process: every request's service shares it.
OVERVIEWS = OverviewCache()


@dataclass(frozen=True)
class MatrixFilters:
    resolution_id: int | None = None
    group_id: int | None = None
    municipality: str | None = None
    status: str | None = None
    review: str | None = None
    search: str = ""
    page: int = 0


@dataclass(frozen=True)
class Viewing:
    """The caller: their scope and the language their pages are in."""

    scope: ViewScope
    locale: str | None


class DashboardService:
    def __init__(
        self,
        repo: Repositories,
        admin_ids: frozenset[int],
        thresholds: Thresholds,
        cache: OverviewCache | None = None,
    ) -> None:
        self.repo = repo
        self.admin_ids = admin_ids
        self.thresholds = thresholds
        self.digest = DigestRepo(repo.session)
        self.cache = cache if cache is not None else OVERVIEWS

    async def viewing(self, telegram_id: int) -> Viewing:
        """Resolved on every request, so a revoked role stops working at once."""
        viewer = await self.repo.dashboard.viewer(telegram_id)
        if telegram_id in self.admin_ids:
            return Viewing(
                view_scope(Role.ADMIN, None, None) or ViewScope(), viewer.language if viewer else None
            )
        if viewer is None:
            raise DomainError("web.forbidden")
        kind = OrgKind(viewer.org_kind) if viewer.org_kind else None
        scope = view_scope(Role(viewer.role), kind, viewer.municipality)
        if scope is None:
            raise DomainError("web.forbidden")
        return Viewing(scope, viewer.language)

    async def _scope(self, scope: ViewScope, resolution_id: int | None) -> Scope:
        ids = await self.digest.published_ids(resolution_id)
        if resolution_id is not None and not ids:
            raise DomainError("web.not_found")
        return Scope(ids, scope.municipality)

    async def overview(self, scope: ViewScope, resolution_id: int | None, today: dt.date) -> dict[str, Any]:
        digest_scope = await self._scope(scope, resolution_id)
        key = (
            str(self.repo.session.get_bind().url),
            scope.municipality,
            digest_scope.resolution_ids,
            today,
            await self.repo.dashboard.data_version(),
        )
        cached = self.cache.get(key)
        if cached is None:
            cached = await self.cache.compute(
                key, lambda: self._overview(scope, resolution_id, today, digest_scope)
            )
        return cached

    async def warm_region(self, today: dt.date) -> None:
        """Counts the region's overviews, of all resolutions and of each published one, unless the cache
        holds them for the present data already."""
        everything = await self.overview(REGION, None, today)
        for resolution in everything["resolutions"]:
            await self.overview(REGION, resolution["id"], today)

    async def _overview(
        self, scope: ViewScope, resolution_id: int | None, today: dt.date, digest_scope: Scope
    ) -> dict[str, Any]:
        groups = [g for g in await self.digest.groups(digest_scope) if _addressed(scope, g.kind)]
        group_ids = {g.group_id for g in groups}
        recs = [r for r in await self.digest.recommendations(digest_scope) if r.group_id in group_ids]
        figures = await count_overview(self.repo.dashboard, groups, recs, scope, today)
        overall = figures.overall
        resolutions = await self.digest.resolution_titles(digest_scope.resolution_ids)
        return {
            "municipality": scope.municipality,
            "resolutions": [{"id": i, "title": title} for i, title in resolutions],
            "resolution_id": resolution_id if digest_scope.resolution_ids else None,
            "overall": _tally(overall),
            "groups": [_group(g) | _tally(t) for g, t in figures.groups],
            "municipalities": self._ranked(figures),
            "review": {
                ReviewState.PENDING.value: overall.awaiting_review,
                ReviewState.ACCEPTED.value: overall.accepted,
                ReviewState.RETURNED.value: overall.returned,
            },
            "overdue": _overdue(figures),
            "thresholds": asdict(self.thresholds),
        }

    def _ranked(self, figures: OverviewFigures) -> list[dict[str, Any]]:
        """The digest's ranking (bot.domain.ranking): the same population (a named municipality's
        municipal authority and institutions), the same light and the same order."""
        overdue = figures.overdue_by_municipality()
        standings = [
            Standing(name, tally.accepted_done, tally.applicable, overdue.get(name, 0))
            for name, tally in figures.ranked.items()
        ]
        rows = []
        for item in rank_municipalities(standings, self.thresholds):
            tally = figures.ranked[item.standing.name]
            row = {"name": item.standing.name} | _tally(tally)
            row["accepted_percent"] = round(tally.percent_accepted, 1)
            row["overdue"] = item.standing.overdue
            row["light"] = item.light.value
            rows.append(row)
        return rows

    async def filters(self, scope: ViewScope, resolution_id: int | None) -> dict[str, Any]:
        """What the matrix can be filtered by, within the caller's scope."""
        digest_scope = await self._scope(scope, resolution_id)
        groups = [g for g in await self.digest.groups(digest_scope) if _addressed(scope, g.kind)]
        municipalities = [scope.municipality] if scope.municipality else await self.repo.orgs.municipalities()
        return {
            "resolutions": [
                {"id": i, "title": t}
                for i, t in await self.digest.resolution_titles(digest_scope.resolution_ids)
            ],
            "groups": [_group(g) for g in groups],
            "municipalities": [m for m in municipalities if m],
            "statuses": sorted(STATUS_FILTERS),
            "reviews": sorted(REVIEW_FILTERS),
        }

    async def matrix(self, scope: ViewScope, f: MatrixFilters) -> dict[str, Any]:
        _check_filters(f)
        digest_scope = await self._scope(scope, f.resolution_id)
        groups = [
            g
            for g in await self.digest.groups(digest_scope)
            if f.group_id in (None, g.group_id) and _addressed(scope, g.kind)
        ]
        if f.group_id is not None and not groups:
            raise DomainError("web.not_found")
        group_ids = {g.group_id for g in groups}
        recs = [r for r in await self.digest.recommendations(digest_scope) if r.group_id in group_ids]
        if f.municipality is not None and not scope.covers(f.municipality):
            raise DomainError("web.out_of_scope")
        query = MatrixQuery(
            rec_ids=tuple(r.rec_id for r in recs),
            kinds=tuple(sorted({g.kind for g in groups})),
            scope=scope,
            municipality=f.municipality,
            status=f.status,
            review=f.review,
            search=f.search.strip(),
            offset=f.page * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        total, orgs = await self.repo.dashboard.matrix_page(query)
        cells = await self.repo.dashboard.cells([o.org_id for o in orgs], query.rec_ids)
        return {
            "total": total,
            "page": f.page,
            "page_size": PAGE_SIZE,
            "columns": [_rec(r) for r in recs],
            "rows": _rows(orgs, recs, groups, cells),
        }

    async def organization(self, scope: ViewScope, org_id: int) -> dict[str, Any]:
        org = await self.repo.dashboard.organization(org_id)
        if org is None:
            raise DomainError("web.not_found")
        if not scope.covers_org(org.kind, org.municipality):
            raise DomainError("web.out_of_scope")
        digest_scope = await self._scope(scope, None)
        kinds = {g.group_id: g.kind for g in await self.digest.groups(digest_scope)}
        recs = [r for r in await self.digest.recommendations(digest_scope) if kinds[r.group_id] == org.kind]
        reports = {
            r.rec_id: r for r in await self.repo.dashboard.reports_of(org_id, [r.rec_id for r in recs])
        }
        ids = [r.report_id for r in reports.values()]
        evidence = await self.repo.dashboard.evidence_of(ids)
        history = await self.repo.dashboard.history_of(ids)
        items = []
        for rec in recs:
            report = reports.get(rec.rec_id)
            own = [h for h in history if report and h["report_id"] == report.report_id]
            items.append(
                _rec(rec)
                | _report(report)
                | {
                    "evidence": [
                        _evidence(e) for e in evidence if report and e.report_id == report.report_id
                    ],
                    "history": [_revision(h) for h in own],
                    "decided": _decided(report, own),
                }
            )
        return {"organization": asdict(org), "items": items}

    async def recommendation(self, scope: ViewScope, rec_id: int) -> dict[str, Any]:
        digest_scope = await self._scope(scope, None)
        rec = next((r for r in await self.digest.recommendations(digest_scope) if r.rec_id == rec_id), None)
        group = next(
            (g for g in await self.digest.groups(digest_scope) if rec and g.group_id == rec.group_id), None
        )
        if rec is None or group is None or not _addressed(scope, group.kind):
            raise DomainError("web.not_found")
        orgs = await self.repo.dashboard.organizations_of(group.kind, scope)
        answers = {o.org_id: r for o, r in await self.repo.dashboard.answers_to(rec_id, group.kind, scope)}
        return {
            "recommendation": _rec(rec) | {"group": group.heading},
            "answers": [asdict(o) | _report(answers.get(o.org_id)) for o in orgs],
        }

    async def evidence_file(self, scope: ViewScope, evidence_id: int) -> EvidenceFile:
        """A stored evidence file the caller may download; anything else is not found or forbidden."""
        item = await self.repo.dashboard.evidence(evidence_id)
        if item is None or not item.stored_path:
            raise DomainError("web.not_found")
        if not scope.covers_org(item.org_kind, item.municipality):
            raise DomainError("web.out_of_scope")
        return item


def _check_filters(f: MatrixFilters) -> None:
    if f.status is not None and f.status not in STATUS_FILTERS:
        raise DomainError("web.bad_filter")
    if f.review is not None and f.review not in REVIEW_FILTERS:
        raise DomainError("web.bad_filter")
    if f.page < 0 or len(f.search) > 200:
        raise DomainError("web.bad_filter")


def _tally(tally: Any) -> dict[str, Any]:
    return asdict(tally) | {"no_answer": tally.no_answer, "percent": round(tally.percent_done, 1)}


def _group(group: GroupInfo) -> dict[str, Any]:
    return {
        "id": group.group_id,
        "resolution_id": group.resolution_id,
        "heading": group.heading,
        "kind": group.kind,
    }


def _rec(rec: RecInfo) -> dict[str, Any]:
    return {
        "id": rec.rec_id,
        "group_id": rec.group_id,
        "number": rec.number,
        "text": rec.text,
        "deadline": rec.deadline.isoformat() if rec.deadline else None,
    }


def _addressed(scope: ViewScope, kind: str) -> bool:
    """Whether organizations of this kind can be in the scope at all (any of its municipality's)."""
    return scope.covers_org(kind, scope.municipality or "")


def _overdue(figures: OverviewFigures) -> dict[str, Any]:
    top = heapq.nsmallest(OVERDUE_LISTED, figures.late, key=lambda o: (-o.overdue, o.municipality, o.name))
    return {
        "cells": sum(o.overdue for o in figures.late),
        "organizations": len(figures.late),
        "top": [
            {"id": o.org_id, "name": o.name, "municipality": o.municipality, "overdue": o.overdue}
            for o in top
        ],
    }


def _rows(orgs: list[OrgRow], recs: list[RecInfo], groups: list[GroupInfo], cells: list[Any]) -> list[Any]:
    kind_of = {g.group_id: g.kind for g in groups}
    found = {(c.org_id, c.rec_id): (c.status, c.review) for c in cells}
    rows = []
    for org in orgs:
        statuses, reviews = [], []
        for rec in recs:
            if kind_of[rec.group_id] != org.kind:
                statuses.append(NOT_ADDRESSED)
                reviews.append(None)
                continue
            status, review = found.get((org.org_id, rec.rec_id), (NO_ANSWER, None))
            statuses.append(status)
            reviews.append(review)
        rows.append(asdict(org) | {"cells": statuses, "reviews": reviews})
    return rows


def _report(report: ReportRow | None) -> dict[str, Any]:
    if report is None:
        return {
            "status": NO_ANSWER,
            "review": None,
            "comment": "",
            "reason": None,
            "review_comment": None,
            "updated_at": None,
        }
    return {
        "status": report.status,
        "review": report.review,
        "comment": report.comment,
        "reason": report.reason,
        "review_comment": report.review_comment,
        "updated_at": report.updated_at.isoformat() if report.updated_at else None,
    }


def _evidence(item: EvidenceFile) -> dict[str, Any]:
    return {
        "id": item.evidence_id,
        "kind": item.kind,
        "file_name": item.file_name,
        "url": item.url,
        "text": item.text,
        "downloadable": bool(item.stored_path),
    }


def _decided(report: ReportRow | None, history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The decision the report stands by, as the chat's card names it (bot.domain.delegation.stands_by):
    who took it and the municipal authority they took it for (`body` None: the department)."""
    if report is None or not history:
        return None
    latest = history[-1]
    if not stands_by(ReviewState(report.review), RevisionEvent(latest["event"])):
        return None
    return {"event": latest["event"], "author": latest["author"], "body": latest["body"]}


def _revision(row: dict[str, Any]) -> dict[str, Any]:
    created = row["created_at"]
    return {k: v for k, v in row.items() if k not in ("report_id", "created_at")} | {
        "created_at": created.isoformat() if created else None
    }
