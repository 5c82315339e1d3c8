"""The drill's counting: wait for the outbox to drain, read the tables and the receivers' records,
and make the one table (what clients were promised against what is stored; what the outbox
queued against what the receivers got; the errors clients saw, by fault).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import psycopg
from drill_fleet import Fleet
from drill_load import Tally

PENDING_SQL = (
    "SELECT (SELECT count(*) FROM email_messages WHERE state IN ('queued', 'deferred'))"
    " + (SELECT count(*) FROM webhook_deliveries WHERE state IN ('queued', 'deferred'))"
)


def drain(db_url: str, work: Path, seconds: float) -> bool:
    """Wait until no email or webhook is pending (workers and sweeps keep going meanwhile)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with psycopg.connect(db_url) as connection:
            pending = connection.execute(PENDING_SQL).fetchone()[0]
        if pending == 0:
            time.sleep(3)  # the last attempts' answers are recorded after the receivers got them
            return True
        time.sleep(5)
    return False


def _records(path: Path, key: str) -> Counter:
    if not path.exists():
        return Counter()
    return Counter(json.loads(line)[key] for line in path.read_text().splitlines() if line)


def count(db_url: str, work: Path, tag: str) -> dict:
    with psycopg.connect(db_url) as connection:

        def column(sql: str, *params) -> list:
            return [row[0] for row in connection.execute(sql, params).fetchall()]

        tickets = Counter(
            s.removeprefix("Drill ticket ")
            for s in column(
                "SELECT subject FROM tickets WHERE subject LIKE %s", f"Drill ticket {tag}-t%"
            )
        )
        replies = Counter(
            b[b.rindex("(") + 1 : -1]
            for b in column(
                "SELECT body_text FROM messages WHERE body_text LIKE %s",
                f"We sent it again. ({tag}-r%",
            )
        )
        inbound = Counter(
            column(
                "SELECT email_message_id FROM messages WHERE email_message_id LIKE %s", f"<{tag}-i%"
            )
        )
        emails = _rows(connection, "SELECT message_id_header, state, attempts FROM email_messages")
        hooks = _rows(connection, "SELECT event_id, state, attempts FROM webhook_deliveries")
    return {
        "tickets": tickets,
        "replies": replies,
        "inbound": inbound,
        "emails": emails,
        "hooks": hooks,
        "smtp": _records(work / "smtp.jsonl", "message_id"),
        "webhooks": _records(work / "webhooks.jsonl", "webhook_id"),
    }


def _rows(connection, sql: str) -> dict[str, tuple[str, int]]:
    return {key: (state, attempts) for key, state, attempts in connection.execute(sql).fetchall()}


def _stored_row(name: str, confirmed: list[str], stored: Counter) -> tuple:
    lost = [k for k in confirmed if k not in stored]
    extra = sum(n - 1 for n in stored.values() if n > 1)
    unconfirmed = len(set(stored) - set(confirmed))
    return (
        name,
        f"{len(confirmed)} confirmed to clients",
        f"{len(stored)} stored",
        extra,
        len(lost),
        f"{unconfirmed} stored but never confirmed" if unconfirmed else "",
    )


def _outbox_row(name: str, rows: dict, received: Counter) -> tuple:
    states = Counter(state for state, _ in rows.values())
    lost = [k for k, (state, _) in rows.items() if state != "failed" and k not in received]
    extra = sum(n - 1 for n in received.values() if n > 1)
    # Received more often than attempts were recorded: the sender stopped (SIGKILL) between
    # handing it over and writing down that it had.
    unrecorded = sum(max(0, received[k] - rows[k][1]) for k in received if k in rows)
    strangers = len(set(received) - set(rows))
    note = ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
    note += f"; {sum(a for _, a in rows.values())} attempts recorded"
    if extra:
        note += f"; {unrecorded} sent by a worker that died before recording the attempt"
    if strangers:
        note += f"; {strangers} received that no row names"
    delivered = len(set(received) & set(rows))
    return (name, f"{len(rows)} queued", f"{delivered} delivered", extra, len(lost), note)


def table(tally: Tally, counts: dict, fleet: Fleet, exits: dict, drained: bool) -> str:
    rows = [
        _stored_row("tickets (API)", tally.confirmed["ticket"], counts["tickets"]),
        _stored_row("replies (API)", tally.confirmed["reply"], counts["replies"]),
        _stored_row(
            "customer mail (/inbound/email)", tally.confirmed["inbound"], counts["inbound"]
        ),
        _outbox_row("emails (SMTP)", counts["emails"], counts["smtp"]),
        _outbox_row("webhooks", counts["hooks"], counts["webhooks"]),
    ]
    by_window = Counter()
    for error in tally.errors:
        window = next(
            (name for name, (start, end) in fleet.windows.items() if start <= error.at <= end),
            "outside every fault",
        )
        by_window[(window, error.what, error.kind)] += 1
    errors = "; ".join(
        f"{n}× {what} ({kind}) during {window}" for (window, what, kind), n in by_window.items()
    )
    rows.append(
        (
            "HTTP errors seen by clients",
            f"{len(tally.errors)} failed tries",
            f"{tally.retried_ok} retried OK",
            "",
            len(tally.gave_up),
            errors or "none",
        )
    )
    rows.append(
        (
            "refused (4xx) or drill errors",
            str(len(tally.refused)),
            "",
            "",
            "",
            "; ".join(tally.refused[:3]),
        )
    )
    rows.append(
        (
            "processes",
            "crashed by themselves: " + str(len(fleet.crashes)),
            "",
            "",
            "",
            "; ".join(fleet.crashes)
            or "exit codes on SIGTERM: " + ", ".join(f"{n} {c}" for n, c in exits.items()),
        )
    )
    rows.append(("web2 /readyz", "", "", "", "", " → ".join(fleet.readiness)))
    rows.append(("outbox drained", "yes" if drained else "NO", "", "", "", ""))
    head = ("what", "sent / queued", "stored / delivered", "duplicates", "lost", "notes")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def nothing_lost(tally: Tally, counts: dict) -> bool:
    stored = all(
        k in counts[name]
        for kind, name in (("ticket", "tickets"), ("reply", "replies"), ("inbound", "inbound"))
        for k in tally.confirmed[kind]
    )
    delivered = all(
        state == "sent" and k in received
        for rows, received in (
            (counts["emails"], counts["smtp"]),
            (counts["hooks"], counts["webhooks"]),
        )
        for k, (state, _) in rows.items()
    )
    return stored and delivered and not tally.gave_up
