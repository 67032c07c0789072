"""Changes that lose an ETag race are re-read and re-applied: how often, and how long to wait.

Every use case that changes a stored record (a decision, a withdrawal, advice, a note, an action
on a data-leak report) reads it, applies the change with the domain rules, and writes it only if
it is unchanged since the read. When another write got there first (a note, a reminder claim, a
second click), the change is applied again to what is stored now, as long as it is still valid.
"""

from __future__ import annotations

import asyncio
import random

ATTEMPTS = 8  # re-reads of a change that keeps losing races to other writes


async def pause(attempt: int) -> None:
    """A short, growing, jittered pause before the next re-read."""
    await asyncio.sleep(random.uniform(0, 0.02 * (attempt + 1)))
