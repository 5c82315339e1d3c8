"""The article page of one checkout of supportdesk, timed on a database help_center.py seeded:
run it on two checkouts in turn to compare code on the same data and the same machine load.

    git archive <commit> | tar -x -C /tmp/base
    .venv/bin/python benchmarks/help_center_ab.py --code /tmp/base --seed 1
    .venv/bin/python benchmarks/help_center_ab.py --code . --seed 1

Prints one JSON line: CPU and wall p50/p95 (ms) and the SQL statements per page, for 300 random
article pages (after 30 others as a warm-up) and 300 conditional GETs answered 304.
"""

# ruff: noqa: S311  (a seeded RNG picks articles)

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import sys
import time


def timed(client, paths: list[str], headers: dict | None = None) -> dict:
    """Percentiles of CPU and wall time of GETs of `paths`, and the statements they ran."""
    cpu, wall, statements = [], [], set()
    for path in paths:
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers or {})
        response.get_data()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
        statements.add(response.headers.get("X-SQL-Queries"))
    cpu.sort()
    wall.sort()

    def p95(values: list[float]) -> float:
        return round(values[max(0, round(0.95 * len(values)) - 1)], 2)

    return {
        "cpu_p50_ms": round(statistics.median(cpu), 2), "cpu_p95_ms": p95(cpu),
        "wall_p50_ms": round(statistics.median(wall), 2), "wall_p95_ms": p95(wall),
        "statements": sorted(statements),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", required=True, help="the checkout whose supportdesk to time")
    parser.add_argument(
        "--url", default="postgresql://postgres@127.0.0.1:5432/supportdesk_bench_kb"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, args.code)
    from supportdesk import create_app

    app = create_app(
        {"DATABASE_URL": args.url, "SECRET_KEY": "bench", "REDIS_URL": None,
         "QUERY_COUNT_HEADER": True}
    )  # fmt: skip
    logging.disable(logging.INFO)
    client = app.test_client()
    rng = random.Random(args.seed)
    page = "/help/bench-help/articles/article-{}"
    timed(client, [page.format(rng.randrange(10_000)) for _ in range(30)])
    paths = [page.format(rng.randrange(10_000)) for _ in range(300)]
    result = {"code": args.code, "article": timed(client, paths)}
    etag = client.get(paths[0]).headers["ETag"]
    result["article_304"] = timed(client, [paths[0]] * 300, {"If-None-Match": etag})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
