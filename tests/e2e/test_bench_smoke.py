"""A tiny run of every bench scenario: the harness works and loses nothing (not a timed test)."""

from __future__ import annotations

from bench.catalog import SCENARIOS
from bench.run import Options, run

FIELDS = {
    "key",
    "title",
    "actions",
    "errors",
    "lost",
    "seconds",
    "throughput",
    "throughput_x_baseline",
    "p50_ms",
    "p99_ms",
    "cpu_ms_per_action",
    "cpu_per_action_x_baseline",
    "cpu_percent",
    "rss_mb",
    "storage_per_action",
}


async def test_every_scenario_runs_and_nothing_is_lost(azurite_connection: str) -> None:
    options = Options(
        keys=list(SCENARIOS),
        seconds=0.3,
        concurrency=2,
        max_requests=20,
        fanout=12,
        records=(20, 40),  # scenario f seeds 1,000 and 100,000 in `make bench`; not here
        azurite_connection=azurite_connection,
    )
    report = await run(options, SCENARIOS)
    rows = {row["key"]: row for row in report["scenarios"]}
    assert set(rows) == set(SCENARIOS)
    for row in rows.values():
        assert FIELDS <= set(row), row["key"]
        assert row["actions"] > 0, row["key"]
        assert row["errors"] == 0, row["key"]
        assert row["lost"] == 0, row["key"]
    assert rows["a"]["throughput_x_baseline"] == 1.0
    assert rows["c"]["storage_per_action"] is not None
    for key in ("d", "e", "f"):
        assert rows[key]["storage_per_action"] is not None, key
    for key in ("d", "e"):  # measured unpaced (like a), and the report says so
        assert "pacer off" in rows[key]["title"]
        assert "TEAMS_SENDS_PER_SECOND=" in rows[key]["extra"]["pacer"]
    for key in ("d", "e"):  # per state change, from the bot's transport meter
        detail = rows[key]["storage_detail"]
        assert detail["reads"] > 0 and detail["writes"] > 0, key
        assert rows[key]["storage_warm"]["writes"] > 0, key
        for label in ("warm", "under load"):
            assert f"per state change, {label} (target <= 3 incl. the read)" in rows[key]["extra"]
    screens = rows["f"]["extra"]
    for screen in ("mijn meldingen", "openstaand", "register gift 2026", "overview 2026"):
        assert "entities" in screens[f"{screen} @ 20"], screen
        assert "(target <= 1.5x)" in screens[f"{screen} 40/20"], screen
    # Her partition of requests, her own index rows in the breach register (#18), and her
    # trailer bookings (one scan of the small trailer table filtered on her id, #16).
    assert "3 requests (3 reads: 3 pages" in screens["mijn meldingen @ 40"]
    fan = rows["g"]
    assert fan["actions"] == 12
    assert "0 left unretried" in fan["extra"]["429s"]
