"""Background jobs (reminders, escalation, retention): run periodically by every instance.

Jobs must be safe to run on several instances at once: each job claims each piece of work with
an ETag-guarded write in Table storage before acting on it, so work happens exactly once no
matter how many instances run the same pass. Nothing lives in memory between passes, so a
restart loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.storage.errors import StorageError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], Awaitable[int]]  # returns how many items it acted on


async def run_pass(jobs: Sequence[Job]) -> dict[str, int]:
    """Run every job once; a failing job is logged and does not stop the others."""
    done: dict[str, int] = {}
    for job in jobs:
        try:
            done[job.name] = await job.run()
        except StorageError as error:
            log.warning("job %s skipped: storage unavailable (%s)", job.name, type(error).__name__)
            done[job.name] = 0
        except Exception:
            log.exception("job %s failed", job.name)
            done[job.name] = 0
    return done


async def run_forever(jobs: Sequence[Job], interval: float) -> None:
    """Run passes until cancelled."""
    while True:
        await run_pass(jobs)
        await asyncio.sleep(interval)
