"""Criteria sets as data, and the code that turns evidence into scores and a ranking.

cs = load_criteria_set("mic-2024")       # bundled name or a YAML path; InputError on any problem
ps = score_portal(cs, evidence)          # PortalEvidence -> PortalScore (criteria, groups, grade, arithmetic)
ranked = rank(scores, previous=None)     # rank, rank_in_kind, tied_with, change
"""

from .criteriaset import CriteriaSet, Criterion, Group, WhenMissing
from .loader import available_sets, load_criteria_set
from .ranking import rank
from .scoring import score_portal

__all__ = [
    "CriteriaSet",
    "Criterion",
    "Group",
    "WhenMissing",
    "available_sets",
    "load_criteria_set",
    "rank",
    "score_portal",
]
