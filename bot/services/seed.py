"""Organizations and people made directly in the database, for tests, benchmarks and the demo."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain import OrgKind, Role
from bot.parsing import parse_resolution
from bot.services.organizations import dedup_key
from bot.texts.titles import normalize_title
from storage.models import Organization, Person, Resolution
from storage.repositories import Repositories


@dataclass(frozen=True)
class SeededOrg:
    org: Organization
    members: list[Person]


async def seed_org(
    repo: Repositories,
    name: str,
    kind: OrgKind,
    municipality: str,
    member_ids: Sequence[int] = (),
) -> SeededOrg:
    org = await repo.orgs.add(name, kind, municipality, dedup_key(name, municipality))
    members = [
        await repo.people.add(tid, f"Руководитель {name}", Role.MEMBER, organization_id=org.id, language="ru")
        for tid in member_ids
    ]
    return SeededOrg(org, members)


async def seed_many(
    repo: Repositories, count: int, kind: OrgKind, first_telegram_id: int, municipalities: Sequence[str]
) -> list[int]:
    """`count` organizations of one kind with one member each; returns the members' Telegram ids."""
    orgs = [
        (f"Организация {kind.value} №{i}", kind, municipalities[i % len(municipalities)])
        for i in range(count)
    ]
    await repo.orgs.add_many([(n, k, m, dedup_key(n, m)) for n, k, m in orgs])
    created = {o.name: o for o in await repo.orgs.active_of_kinds([kind])}
    ids = []
    for i, (name, _, _) in enumerate(orgs):
        telegram_id = first_telegram_id + i
        repo.session.add(
            Person(
                telegram_id=telegram_id,
                full_name=f"Руководитель {i}",
                role=Role.MEMBER,
                organization_id=created[name].id,
                language="ru",
            )
        )
        ids.append(telegram_id)
    await repo.session.flush()
    return ids


async def seed_resolution(repo: Repositories, data: bytes, filename: str, created_by: int = 0) -> Resolution:
    parsed = parse_resolution(data, filename)
    resolution = await repo.resolutions.add(
        normalize_title(parsed.title),
        parsed.date,
        parsed.place,
        filename,
        created_by,
        [(g.heading, g.category, g.recommendations) for g in parsed.groups],
    )
    loaded = await repo.resolutions.get(resolution.id)
    assert loaded is not None
    return loaded
