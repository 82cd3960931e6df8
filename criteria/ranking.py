"""Rank portals over all and within their kind; mark places that the measurement noise cannot separate."""

from __future__ import annotations

from .model import PortalScore


def _competition_ranks(ordered: list[PortalScore]) -> list[int]:
    """1, 2, 2, 4: equal rounded scores share a place, the next place skips."""
    ranks: list[int] = []
    for i, s in enumerate(ordered):
        if i and round(s.score, 2) == round(ordered[i - 1].score, 2):
            ranks.append(ranks[-1])
        else:
            ranks.append(i + 1)
    return ranks


def _indistinct(a: PortalScore, b: PortalScore, margin: float) -> bool:
    gap = abs(round(a.score, 2) - round(b.score, 2))
    return gap == 0 or gap < max(margin, a.noise, b.noise)


def _group_indistinct(a: PortalScore, b: PortalScore, gid: str) -> bool:
    """Within one group: closer than the larger measured spread of that group on either portal. Groups the lab's
    repeats do not move (spread 0: functionality, security ...) list no ties; equal scores there are plainly equal."""
    ga, gb = a.groups.get(gid), b.groups.get(gid)
    if ga is None or gb is None or ga.status != "scored" or gb.status != "scored":
        return False
    gap = abs(round(ga.score, 2) - round(gb.score, 2))
    return gap < max(a.group_noise.get(gid, 0.0), b.group_noise.get(gid, 0.0))


def group_ties(scores: list[PortalScore]) -> None:
    """Set `group_tied_with`: per group with a measured spread (the performance group), the portals whose group
    score differs from this one's by less than that spread."""
    gids = sorted({gid for s in scores for gid in s.groups})
    for s in scores:
        s.group_tied_with = {}
        for gid in gids:
            tied = [o.portal_id for o in scores if o is not s and _group_indistinct(s, o, gid)]
            if tied:
                s.group_tied_with[gid] = sorted(tied)


def rank(
    scores: list[PortalScore], previous: dict[str, int] | None = None, noise_margin: float | None = None
) -> list[PortalScore]:
    """Set rank, rank_in_kind, tied_with, change and previous_rank; return the scores best first.

    Ties are ordered by portal id. `tied_with` lists the portals whose score differs by less than the noise
    margin (the criteria set's `noise_margin`, carried on each score, unless given here) or than the larger
    measured noise of the two (`PortalScore.noise`): their order is not distinguishable.
    `group_tied_with` does the same per group, on the group's measured spread (`group_ties`).
    `previous` maps portal id -> rank in the last run of the same registry.
    """
    ordered = sorted(scores, key=lambda s: (-round(s.score, 2), s.portal_id))
    if noise_margin is None:
        noise_margin = max((s.noise_margin for s in scores), default=1.0)
    for s, r in zip(ordered, _competition_ranks(ordered)):
        s.rank = r
    kinds = sorted({s.kind for s in ordered})
    for kind in kinds:
        members = [s for s in ordered if s.kind == kind]
        for s, r in zip(members, _competition_ranks(members)):
            s.rank_in_kind = r
    group_ties(ordered)
    for s in ordered:
        s.noise_margin = noise_margin
        s.tied_with = [o.portal_id for o in ordered if o is not s and _indistinct(s, o, noise_margin)]
        if previous is None:
            s.change, s.previous_rank = "", None
            continue
        s.previous_rank = previous.get(s.portal_id)
        if s.previous_rank is None:
            s.change = "new"
        elif s.rank < s.previous_rank:
            s.change = "up"
        elif s.rank > s.previous_rank:
            s.change = "down"
        else:
            s.change = "same"
    return ordered
