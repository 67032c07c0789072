"""Every scenario of `make bench`, in report order: importing the scenario modules registers
them in `bench.common.SCENARIOS`."""

from __future__ import annotations

from bench import flows, scenarios, screens
from bench.common import SCENARIOS

MODULES = (scenarios, flows, screens)

__all__ = ["MODULES", "SCENARIOS"]
