"""Latency and memory of typed-text understanding: `python -m bench.understanding`.

Loads the knowledge base and its index once (timed apart: that is start-up, not a
turn), then times `understand` on every sentence of the labelled sets, several rounds, and prints
the p50, p95, p99 and max per answer and the process's peak memory (docs/knowledge.md).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from bot.domain.intents import understand
from bot.domain.knowledge import knowledge_base
from tests.support.knowledge_eval import DEV, QUESTIONS, TEST, labelled


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.understanding")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    before = _peak_mib()
    started = time.perf_counter()
    knowledge = knowledge_base()
    load = time.perf_counter() - started
    texts = [text for path in (QUESTIONS, DEV, TEST) for text, _ in labelled(path)]
    timings: list[float] = []
    for _ in range(args.rounds):
        for text in texts:
            start = time.perf_counter()
            understand(text, knowledge)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    cut = statistics.quantiles(timings, n=100)
    print(f"start-up (knowledge base and its index): {load * 1000:.0f} ms")
    print(f"answers timed: {len(timings)} ({len(texts)} sentences x {args.rounds})")
    print(f"per answer: p50 {cut[49]:.2f} ms, p95 {cut[94]:.2f} ms, p99 {cut[98]:.2f} ms, "
          f"max {timings[-1]:.2f} ms")  # fmt: skip
    print(f"peak memory: {_peak_mib():.0f} MiB (before loading: {before:.0f} MiB)")


if __name__ == "__main__":
    main()
