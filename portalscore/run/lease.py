"""A worker's heartbeat: keeps its task's lease alive from a thread while the task works.

If a renewal finds the task no longer running — the coordinator declared it lost, because this worker
did not renew in time (frozen, cut off from the database) and has already sent the host group again —
the worker must stop before it writes anything more: `on_lost` is called, which by default ends the
process at once (the Celery parent process then starts a fresh one).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from types import TracebackType

from portalscore.store import Store

log = logging.getLogger("portalscore.run")

LOST_EXIT_CODE = 75


def stop_process() -> None:
    log.error("this worker's lease was taken away (it was presumed lost): stopping at once")
    logging.shutdown()
    os._exit(LOST_EXIT_CODE)  # no cleanup that could still write: the work is being done elsewhere


class Heartbeat:
    def __init__(
        self,
        store: Store,
        task_id: int,
        lease_s: float,
        every_s: float,
        on_lost: Callable[[], None] = stop_process,
    ):
        self.store, self.task_id, self.lease_s, self.every_s, self.on_lost = store, task_id, lease_s, every_s, on_lost
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{task_id}", daemon=True)
        self.renewals = 0

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                renewed = self.store.renew_lease(self.task_id, self.lease_s)
            except Exception as e:  # the database away for a moment: try again at the next beat
                log.warning("could not renew the lease of task %d: %s", self.task_id, e)
                continue
            if not renewed:
                if not self._stop.is_set():  # not just finishing: the task was taken away
                    self.on_lost()
                return
            self.renewals += 1
