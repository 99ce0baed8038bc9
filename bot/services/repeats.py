"""Year over year: which recommendations of a resolution repeat those of earlier ones, and how far those got.

Matching compares texts token by token (rapidfuzz's token-set ratio over lower-cased words), and only
between addressee groups of the same kind of body: a department's task never "repeats" a school's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.errors import DomainError
from bot.domain.repeats import LinkState
from bot.services.resolutions import ResolutionService
from storage.models import Resolution
from storage.repositories import Repositories
from storage.repositories.documents import Candidate, EarlierProgress, LinkRow


@dataclass(frozen=True)
class Repeat:
    """A recommendation of this resolution that repeats an earlier one, with how far that one got."""

    link_id: int
    rec_id: int
    confirmed: bool
    year: int | None
    number: str
    title: str
    done: int
    applicable: int

    @property
    def percent_done(self) -> int:
        return round(100 * self.done / self.applicable) if self.applicable else 0


@dataclass(frozen=True)
class Preview:
    resolution: Resolution
    repeats: list[Repeat]


def best_matches(
    new: Sequence[Candidate], earlier: Sequence[Candidate], threshold: float
) -> list[tuple[int, int, int]]:
    """(new id, earlier id, score) for each new recommendation whose closest earlier one of the same kind
    scores at least `threshold` (0..100)."""
    from rapidfuzz import fuzz, process, utils

    by_kind: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in earlier:
        by_kind[candidate.kind].append(candidate)
    found = []
    for rec in new:
        pool = by_kind.get(rec.kind)
        if not pool:
            continue
        best = process.extractOne(
            rec.text,
            [c.text for c in pool],
            scorer=fuzz.token_set_ratio,
            processor=utils.default_process,
            score_cutoff=threshold,
        )
        if best is not None:
            _, score, index = best
            found.append((rec.rec_id, pool[index].rec_id, round(score)))
    return found


def repeats_from(links: Sequence[LinkRow], progress: dict[int, EarlierProgress]) -> list[Repeat]:
    repeats = []
    for link in links:
        earlier = progress.get(link.earlier_rec_id)
        done = earlier.done if earlier else 0
        applicable = max(earlier.addressees - earlier.not_applicable, 0) if earlier else 0
        repeats.append(
            Repeat(
                link.link_id,
                link.rec_id,
                link.state == LinkState.CONFIRMED.value,
                link.earlier_year,
                link.earlier_number,
                link.earlier_title,
                done,
                applicable,
            )
        )
    return repeats


async def repeats_of(repo: Repositories, rec_ids: Sequence[int]) -> list[Repeat]:
    """Shown (found or confirmed) repeats of these recommendations, the best match of each first."""
    links = await repo.documents.links(rec_ids)
    progress = await repo.documents.earlier_progress(sorted({link.earlier_rec_id for link in links}))
    return repeats_from(links, progress)


class RepeatService:
    def __init__(self, repo: Repositories, threshold: float, resolutions: ResolutionService) -> None:
        self.repo = repo
        self.threshold = threshold
        self.resolutions = resolutions

    async def match(self, resolution_id: int) -> int:
        """Links this resolution's recommendations to earlier ones; a pair already known (even one the
        admin unlinked) is not added again. Returns how many links were added."""
        new = await self.repo.documents.recommendations_of(resolution_id)
        kinds = sorted({rec.kind for rec in new})
        earlier = await self.repo.documents.earlier_candidates(resolution_id, kinds) if kinds else []
        known = await self.repo.documents.known_links([rec.rec_id for rec in new])
        links = [m for m in best_matches(new, earlier, self.threshold) if (m[0], m[1]) not in known]
        await self.repo.documents.add_links(links)
        return len(links)

    async def import_document(self, data: bytes, filename: str, created_by: int) -> Preview:
        """A resolution from a document, matched against the earlier ones in the same unit of work."""
        resolution = await self.resolutions.import_document(data, filename, created_by)
        await self.match(resolution.id)
        return await self.preview(resolution.id)

    async def preview(self, resolution_id: int) -> Preview:
        resolution = await self.resolutions.get(resolution_id)
        rec_ids = [rec.id for group in resolution.groups for rec in group.recommendations]
        return Preview(resolution, await repeats_of(self.repo, rec_ids))

    async def decide(self, link_id: int, confirm: bool, decided_by: int) -> Preview:
        """The admin confirms a found repeat or unlinks it; the preview of its resolution, as it is now."""
        link = await self.repo.documents.link(link_id)
        if link is None:
            raise DomainError("refused.button")
        rec = await self.repo.resolutions.recommendation(link.rec_id)
        if rec is None:
            raise DomainError("refused.button")
        state = LinkState.CONFIRMED if confirm else LinkState.UNLINKED
        await self.repo.documents.set_link_state(link_id, state, decided_by)
        self.repo.session.expire(link)
        return await self.preview(rec.group.resolution_id)
