"""Throughput of the reach engine: holdings evaluated per second on one core.

    .venv/bin/python bench/bench_engine.py        (or: make bench-engine)

Loads the shipped catalogue (v3) from its TOML files, builds a synthetic provider (an
entity tree of regional subsidiaries, many accounts with holdings across categories
and storage countries, some unknown) and a set of demands under several instruments
and dates (the v2 instruments and the v3 ones: preservation, national process), then
evaluates them repeatedly in-process for a bounded time. Prints the workload, the
median of several runs and PASS or FAIL against the budget of 100,000 holdings per
second (issue 18); exits 1 on FAIL. No Django needed.

The machine may be shared: compare two engines in the same minute, not across hours.
"""

import random
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jurisdictions.reach import (  # noqa: E402 - after the path set-up
    Account,
    Demand,
    Entity,
    Facts,
    Holding,
    evaluate,
    load_catalogue_files,
    result_to_contract,
)

BUDGET = 100_000  # holdings per second (issue 18)
RUNS = 7
SECONDS_PER_RUN = 0.4

REGIONS = ["IE", "DE", "FR", "NL", "GB", "AU", "BR", "CN", "CH", "JP", "SG", "IN", "CA"]
STORAGE = [*REGIONS, "US", "US", "US", "IE", "IE", "SE", None, None]
CATEGORIES = ["subscriber", "traffic", "content"]


def provider() -> tuple[Entity, ...]:
    """A US parent, a subsidiary per region, each with two operating companies."""
    root = "Example Holdings Inc."
    entities = [
        Entity(root, "US", offers_services_in=("*",)),
        Entity("Example Services LLC", "US", parent=root, offers_services_in=("*",)),
    ]
    for region in REGIONS:
        regional = f"Example {region} Ltd"
        entities.append(
            Entity(
                regional,
                region,
                parent=root,
                establishments=("LU", "DE") if region == "IE" else (),
                offers_services_in=(region,),
                designated_for=(root,) if region == "IE" else (),
            )
        )
        for n in (1, 2):
            entities.append(Entity(f"Example {region} Operations {n}", region, parent=regional))
    return tuple(entities)


def accounts(entities: tuple[Entity, ...], count: int, seed: int) -> tuple[Account, ...]:
    rng = random.Random(seed)
    names = [e.name for e in entities]
    result = []
    for i in range(count):
        holdings = tuple(
            Holding(rng.choice(CATEGORIES), rng.choice(STORAGE), rng.choice(names)) for _ in range(rng.randint(1, 6))
        )
        result.append(
            Account(
                f"user{i}@example.com",
                holdings,
                us_person=rng.choice([True, False, None]),
                residence=rng.choice([*REGIONS, "US", None]),
            )
        )
    return tuple(result)


def demands() -> list[tuple[date, Demand]]:
    served = datetime(2026, 9, 1, 8, tzinfo=UTC)
    return [
        (date(2014, 4, 25), Demand("US-SCA-WARRANT", "US", "Example Holdings Inc.", "SDNY")),
        (date(2017, 3, 1), Demand("US-SCA-WARRANT", "US", "Example Holdings Inc.", "S.D.N.Y.")),
        (date(2017, 3, 1), Demand("US-SCA-WARRANT", "US", "Example Holdings Inc.", "E.D. Pa.")),
        (date(2023, 3, 1), Demand("US-SCA-WARRANT", "US", "Example Holdings Inc.", "N.D. Cal.")),
        (date(2023, 3, 1), Demand("US-SCA-2703D", "US", "Example Services LLC", None)),
        (date(2023, 6, 1), Demand("GB-COPO", "GB", "Example Holdings Inc.", served_at=served)),
        (date(2024, 6, 1), Demand("AU-IPO", "AU", "Example Holdings Inc.")),
        (date(2026, 9, 1), Demand("EU-EPO", "DE", "Example IE Ltd", served_at=served)),
        (
            date(2026, 9, 1),
            Demand("EU-EPO", "FR", "Example IE Ltd", served_at=served, emergency=True),
        ),
        (date(2022, 1, 10), Demand("BR-MCI-ORDER", "BR", "Example Services LLC")),
        (date(2022, 1, 10), Demand("BE-CCP-46BIS", "BE", "Example Holdings Inc.")),
        (date(2012, 1, 10), Demand("GB-COPO", "GB", "Example Holdings Inc.")),
        # v3: preservation and national process
        (date(2024, 3, 4), Demand("US-SCA-PRESERVATION", "US", "Example Holdings Inc.", "S.D.N.Y.", served_at=served)),
        (date(2026, 9, 1), Demand("EU-EPO-PR", "DE", "Example IE Ltd", served_at=served, extended=True)),
        (date(2024, 8, 1), Demand("IN-BNSS-94", "IN", "Example IN Ltd", pending_since=date(2024, 7, 2))),
        (date(2024, 8, 1), Demand("DE-STPO-100J", "DE", "Example DE Ltd")),
        (date(2024, 8, 1), Demand("GB-IPA-CD", "GB", "Example Holdings Inc.")),
        (date(2019, 6, 1), Demand("CA-CC-487.014", "CA", "Example CA Ltd")),
    ]


def main() -> int:
    catalogue = load_catalogue_files()
    entities = provider()
    account_rows = accounts(entities, count=1_500, seed=20260901)
    cases = [Facts(as_of, demand, entities, account_rows) for as_of, demand in demands()]
    per_demand = sum(len(a.holdings) for a in account_rows)
    per_pass = per_demand * len(cases)
    print(
        f"workload: catalogue v3 {catalogue.version} ({len(catalogue.instruments)} instruments,"
        f" {len(catalogue.conflict_rules)} conflict rules, {len(catalogue.agreements)} agreements);"
        f" {len(cases)} demands x {per_demand:,} holdings ({len(account_rows):,} accounts,"
        f" {len(entities)} entities) = {per_pass:,} holdings a pass"
    )

    def run(with_contract: bool) -> float:
        done, started = 0, time.perf_counter()
        while True:
            for facts in cases:
                result = evaluate(catalogue, facts)
                if with_contract:
                    result_to_contract("bench", result)
            done += per_pass
            elapsed = time.perf_counter() - started
            if elapsed >= SECONDS_PER_RUN:
                return done / elapsed

    run(False)  # warm the caches (holiday calendars, zones)
    runs = [run(False) for _ in range(RUNS)]
    engine = statistics.median(runs)
    contract = statistics.median(run(True) for _ in range(3))
    print(f"engine: {engine:,.0f} holdings/s (median of {RUNS} runs; min {min(runs):,.0f}, max {max(runs):,.0f})")
    print(f"engine + result_to_contract: {contract:,.0f} holdings/s (median of 3 runs; information, no budget)")
    ok = engine >= BUDGET
    print(f"budget: engine >= {BUDGET:,} holdings/s: {'PASS' if ok else 'FAIL'} ({engine:,.0f})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
