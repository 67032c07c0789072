"""CPU and memory of another process, read from /proc (Linux)."""

from __future__ import annotations

import os
from dataclasses import dataclass

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Usage:
    cpu_seconds: float  # user + system since the process started
    rss_mb: float
    peak_rss_mb: float


def usage(pid: int) -> Usage:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        # Fields after the ")" that closes the command name; utime and stime are 14 and 15.
        fields = stat.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / _TICKS
    rss = peak = 0.0
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return Usage(cpu, rss, peak)
