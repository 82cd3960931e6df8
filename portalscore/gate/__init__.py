"""Quality gates for a portal team's CI (issue 21): `portalscore check URL --budget budget.yml`.

One portal, evaluated by the same run as the national ranking (portalscore.run, the same criteria set), then its
score and evidence judged against a budget file (budget.py) and, optionally, an earlier check's result
(baseline). judge.py says which budget lines hold; outputs.py writes JUnit XML, JSON and Markdown; check.py ties
them together and decides the exit code (0 met, 1 a budget broken, 2 the site could not be evaluated).
"""

from .budget import Budget, load_budget
from .judge import GateResult, LineResult, judge

__all__ = ["Budget", "GateResult", "LineResult", "judge", "load_budget"]
