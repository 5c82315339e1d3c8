"""Latency of `search_tickets` in process, per query, and EXPLAIN ANALYZE of the slowest.

    SUPPORTDESK_DATABASE_URL=postgresql+psycopg://…/bench \\
        .venv/bin/python benchmarks/search_inprocess.py [--org acme-support] [--runs 40] [QUERY …]

Runs each query `--runs` times (after two warm-up runs) within one organization, as the console
does (first page of 25, no filter), and prints p50/p95/max, the tickets found and the SQL
statements per search; then EXPLAIN (ANALYZE, BUFFERS) of the ranking statement of the query
with the highest p95. Measures the database and the query code, not HTTP.
"""

from __future__ import annotations

import argparse
import statistics
import time

import sqlalchemy as sa

from supportdesk import create_app
from supportdesk.accounts.models import Organization
from supportdesk.extensions import db
from supportdesk.search import search_tickets

DEFAULT_QUERIES = [
    "refu",
    "aisha.bianchi",
    "driftwood-travel",
    "known-issue",
    '"duplicate charge"',
    "the",
    "kerberos",
]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(fraction * (len(ordered) - 1))), len(ordered) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("queries", nargs="*", default=DEFAULT_QUERIES)
    parser.add_argument("--org", default="acme-support", help="organization slug")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        org_id = db.session.scalar(sa.select(Organization.id).where(Organization.slug == args.org))
        statements: list[tuple[str, object]] = []
        started_at: list[float] = []
        per_statement: dict[int, list[float]] = {}

        def before(_conn, _cur, statement, params, _ctx, _many) -> None:
            statements.append((statement, params))
            started_at.append(time.perf_counter())

        def after(*_args) -> None:
            elapsed = (time.perf_counter() - started_at[-1]) * 1000
            per_statement.setdefault(len(statements) - 1, []).append(elapsed)

        sa.event.listen(db.engine, "before_cursor_execute", before)
        sa.event.listen(db.engine, "after_cursor_execute", after)
        print(
            f"{'query':<22} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'found':>8} {'SQL':>4}"
            "  p50 per statement (ms)"
        )
        slowest = (0.0, "", None)
        for query in args.queries:
            for _ in range(2):
                search_tickets(org_id, query)
            timings = []
            per_statement.clear()
            for _ in range(args.runs):
                statements.clear()
                started = time.perf_counter()
                page = search_tickets(org_id, query)
                timings.append((time.perf_counter() - started) * 1000)
                db.session.rollback()
            p95 = _percentile(timings, 0.95)
            found = f"{page.total:,}{'+' if page.capped else ''}"
            print(
                f"{query:<22} {statistics.median(timings):8.1f} {p95:8.1f} {max(timings):8.1f}"
                f" {found:>8} {len(statements):>4}  "
                + " / ".join(f"{statistics.median(t):.1f}" for t in per_statement.values())
            )
            if p95 > slowest[0]:
                slowest = (p95, query, statements[0] if statements else None)
        _p95, query, first = slowest
        if first is not None:
            statement, params = first
            print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the ranking statement for {query!r}:")
            with db.engine.connect() as connection:
                plan = connection.exec_driver_sql(
                    f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params
                ).scalars()
                print("\n".join(plan))


if __name__ == "__main__":
    main()
