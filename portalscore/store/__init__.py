"""The store: runs, evidence, scores and the distributed work log in one database (SQLite or PostgreSQL).

Alembic migrations (store/migrations) are the only definition of the schema; store/schema.py names
the tables for the queries; the records handed out are typed (RunRecord, TaskRecord).
"""

from .database import default_db_url, now, now_precise
from .records import TASK_STATUSES, RunRecord, TaskRecord
from .store import Store

__all__ = ["TASK_STATUSES", "RunRecord", "Store", "TaskRecord", "default_db_url", "now", "now_precise"]
