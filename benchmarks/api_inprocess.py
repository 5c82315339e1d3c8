"""Per-request cost of the API's list and create, in process (no HTTP server, no network).

    SUPPORTDESK_DATABASE_URL=postgresql://…/bench .venv/bin/python benchmarks/api_inprocess.py [N]

Complements benchmarks/api.sh on a busy machine: CPU time per request does not depend on what
else the machine is running as much as requests per second do.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("SUPPORTDESK_API_RATE_LIMIT", "1000000000")

from supportdesk import create_app  # noqa: E402
from supportdesk.accounts.queries import find_active_by_email  # noqa: E402
from supportdesk.extensions import db  # noqa: E402
from supportdesk.tokens.models import Scope  # noqa: E402
from supportdesk.tokens.service import create_token  # noqa: E402


def main(n: int) -> None:
    app = create_app()
    client = app.test_client()
    with app.app_context():
        admin = find_active_by_email("admin@acme-support.example")
        _token, plain = create_token(admin, name="in-process benchmark", scope=Scope.READ_WRITE)
        db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    body = {"subject": "Benchmark", "body": "In process.", "customer_email": "bench@example.com"}
    cases = {
        "GET /tickets?limit=25": lambda: client.get("/api/v1/tickets?limit=25", headers=headers),
        "GET /tickets?status=open&priority=high&limit=25": lambda: client.get(
            "/api/v1/tickets?status=open&priority=high&limit=25", headers=headers
        ),
        "POST /tickets": lambda: client.post("/api/v1/tickets", json=body, headers=headers),
    }
    for name, call in cases.items():
        assert call().status_code < 300
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            call()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"{name}: {wall / n * 1000:.1f} ms wall, {cpu / n * 1000:.1f} ms CPU per request")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
