"""A run: plan (start or resume) -> collect (crawl, lab, journeys) -> score -> report -> finish.

orchestrator.py runs it with an executor of the collect step: LocalExecutor (collect.py, in this process)
or CeleryExecutor (distributed.py, `portalscore worker` processes); both end through finish.py.
"""

from .finish import score_run, scores_of, write_report
from .orchestrator import Executor, LocalExecutor, RunResult, evaluate
from .plan import criteria_source

__all__ = [
    "Executor",
    "LocalExecutor",
    "RunResult",
    "criteria_source",
    "evaluate",
    "score_run",
    "scores_of",
    "write_report",
]
