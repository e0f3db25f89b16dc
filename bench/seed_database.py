"""The database `make bench` measures: `lexloci_bench_<N>` on the local PostgreSQL,
migrated and filled by `manage.py seed_bench --cases N` once, reused afterwards.

    .venv/bin/python bench/seed_database.py --cases 100000      # prints its URL last

Progress goes to stderr, the URL alone to stdout. A database filled to the end is
marked (a comment on it: "lexloci seed_bench N"); one that is not (a seed interrupted,
or an older schema) is dropped and filled again.
BENCH_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres) says where.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def url_of(cases: int) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + f"/lexloci_bench_{cases}"


def _mark(cases: int) -> str:
    return f"lexloci seed_bench {cases}"


def _manage(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    env.pop("REDIS_URL", None)  # tasks in-process while loading the demo data
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=sys.stderr)  # noqa: S603


def migrations_pending(url: str) -> bool:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    check = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--check"], cwd=ROOT, env=env, capture_output=True
    )
    return check.returncode != 0


def ensure(cases: int) -> str:
    """The URL of a database holding `cases` seeded cases on the current schema."""
    url = url_of(cases)
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if row is not None and row[0] == _mark(cases) and not migrations_pending(url):
            print(f"reusing {name} ({cases:,} cases)", file=sys.stderr, flush=True)
            return url
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    started = time.monotonic()
    print(f"filling {name} with {cases:,} cases (seed_bench) ...", file=sys.stderr, flush=True)
    _manage(url, "migrate", "--noinput", "-v0")
    _manage(url, "seed_bench", "--cases", str(cases))
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"COMMENT ON DATABASE {name} IS '{_mark(cases)}'")
    print(f"{name} ready in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    if args.cases < 1:
        print("--cases: give a positive number of cases.")
        return 2
    print(ensure(args.cases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
