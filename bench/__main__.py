"""`python -m bench [--only a,c,d] [--seconds 3] [--concurrency 10] [--fanout N]
[--records 1000,100000] [--profile]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bench.catalog import SCENARIOS
from bench.run import ROOT, Options, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default=",".join(SCENARIOS), help="scenario keys, e.g. a,c")
    parser.add_argument("--seconds", type=float, default=3.0, help="measured time per scenario")
    parser.add_argument("--concurrency", type=int, default=10, help="requests in flight")
    parser.add_argument("--max-requests", type=int, default=30_000, help="cap per scenario")
    parser.add_argument("--fanout", type=int, default=5000, help="recipients in scenario g")
    parser.add_argument(
        "--records", default="1000,100000", help="scenario f: requests seeded, e.g. 1000,100000"
    )
    parser.add_argument("--profile", action="store_true", help="run the bots under cProfile")
    parser.add_argument("--json", default=str(ROOT / ".data" / "bench" / "report.json"))
    args = parser.parse_args(argv)
    keys = [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = [k for k in keys if k not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}; known: {', '.join(SCENARIOS)}")
    options = Options(
        keys=keys,
        seconds=args.seconds,
        concurrency=args.concurrency,
        max_requests=args.max_requests,
        fanout=args.fanout,
        profile=args.profile,
        records=tuple(int(n) for n in args.records.split(",") if n.strip()),
    )
    report = asyncio.run(run(options, SCENARIOS, echo=print))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    with open(args.json, "w", encoding="utf-8") as out:
        json.dump(report, out, indent=2)
    print(f"\nreport: {args.json}")
    lost = sum(row["lost"] for row in report["scenarios"])
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
