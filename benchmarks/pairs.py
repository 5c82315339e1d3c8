"""Two checkouts' in-process figures, measured in alternating rounds (base, ours, base, ours…).

    .venv/bin/python benchmarks/pairs.py --rounds 3 --requests 100 \
        --base /work/wt/base8 --base-database-url postgresql://postgres@127.0.0.1:5432/sd_perf_base \
        --database-url postgresql://postgres@127.0.0.1:5432/sd_perf_100k

Each round runs `inprocess.py` once on the base checkout (`--source=`, its own database at its
own schema: the workload loaded by that commit's `load-workload`) and once on this checkout, in
that order, so a burst of load on a shared machine hits both alike. Prints each round and the
median over the rounds of each figure (p50, p95, CPU ms, SQL ms, render ms, statements); the
CPU time (`time.process_time`) is the steadier figure on a busy machine.
"""

# ruff: noqa: S603  (runs inprocess.py of this checkout)

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIGURES = ("p50_ms", "p95_ms", "cpu_ms", "sql_ms", "render_ms")


def run(source: str | None, database_url: str, requests: int, pages: str) -> dict:
    """One inprocess.py run in a fresh process; its JSON result."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [
            sys.executable,
            str(HERE / "inprocess.py"),
            "--database-url",
            database_url,
            "--requests",
            str(requests),
            "--pages",
            pages,
            "--json",
            out.name,
        ]
        if source:
            command.append(f"--source={source}")
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=os.environ.copy())
        return json.loads(Path(out.name).read_text())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--base", required=True, help="the base checkout (a worktree)")
    p.add_argument("--base-database-url", required=True)
    p.add_argument("--database-url", default=os.environ.get("SUPPORTDESK_DATABASE_URL"))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--requests", type=int, default=100)
    p.add_argument("--pages", default="queue,ticket,search,customer")
    p.add_argument("--json", help="write every round's figures here")
    a = p.parse_args(argv)
    rounds: dict[str, list[dict]] = {"base": [], "ours": []}
    for i in range(a.rounds):
        for name, source, url in (
            ("base", a.base, a.base_database_url),
            ("ours", None, a.database_url),
        ):
            result = run(source, url, a.requests, a.pages)
            rounds[name].append(result["pages"])
            line = "  ".join(
                f"{page} {r['p50_ms']:.2f}/{r['cpu_ms']:.2f}" for page, r in result["pages"].items()
            )
            print(f"round {i + 1} {name:4}  p50/CPU ms: {line}", flush=True)
    print()
    header = f"{'page':10} {'':5}" + "".join(f"{f:>11}" for f in FIGURES) + f"{'SQL':>6}"
    print(header)
    print("-" * len(header))
    for page in a.pages.split(","):
        for name in ("base", "ours"):
            runs = [r[page] for r in rounds[name]]
            medians = [statistics.median(r[f] for r in runs) for f in FIGURES]
            queries = sorted({q for r in runs for q in r["sql_queries"]})
            print(
                f"{page:10} {name:5}"
                + "".join(f"{m:>11.2f}" for m in medians)
                + f"{','.join(map(str, queries)):>6}"
            )
    if a.json:
        Path(a.json).write_text(json.dumps(rounds, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
