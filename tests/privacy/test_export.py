"""The data export of a fully populated customer: asked for, built by a real worker, and holding
every kind of thing the issue names (profile, tickets, messages, attachments, raw mail, emails
sent, satisfaction answers)."""

from __future__ import annotations

import io
import json
import zipfile
from email import message_from_bytes, policy

import pytest

from supportdesk.extensions import db
from supportdesk.privacy.export import request_export
from supportdesk.privacy.models import DataExport, ExportStatus
from supportdesk.storage import storage
from tests.privacy.conftest import run_jobs

pytestmark = pytest.mark.integration


def test_the_archive_holds_everything_the_customer_left(app, person, admin):
    email, name, strings = person.email, person.name, person.strings
    number = person.ticket.number
    export_id = request_export(admin, person.customer).id
    db.session.commit()
    assert db.session.get(DataExport, export_id).status is ExportStatus.QUEUED
    run_jobs(app)  # the background job, on a real worker

    row = db.session.get(DataExport, export_id)
    assert row.status is ExportStatus.READY and row.done == row.total
    with zipfile.ZipFile(io.BytesIO(storage().read(row.storage_key))) as archive:
        names = archive.namelist()
        profile = json.loads(archive.read("profile.json"))
        tickets = json.loads(archive.read("tickets.json"))
        answers = json.loads(archive.read("satisfaction.json"))
        inbound = [archive.read(n) for n in names if n.startswith("inbound/")]
        sent = [archive.read(n) for n in names if n.startswith("sent/")]
        files = [archive.read(n) for n in names if n.startswith("attachments/")]

    assert (profile["email"], profile["name"]) == (email, name)
    assert profile["crm"]["synced_values"] == {"name": name}
    [ticket] = [t for t in tickets if t["number"] == number]
    bodies = " ".join(m["body_text"] for m in ticket["messages"])
    assert strings[0] in bodies and name in bodies  # theirs and ours
    assert {"customer", "agent"} <= {m["author"] for m in ticket["messages"]}
    assert ticket["history"]
    assert files == [strings[1].encode()]
    [raw] = inbound
    assert message_from_bytes(raw, policy=policy.default)["Subject"] == strings[2]
    assert sent and all(
        message_from_bytes(m, policy=policy.default)["To"].addresses[0].addr_spec == email
        for m in sent
    )
    assert [(a["ticket"], a["rating"], a["comment"]) for a in answers] == [
        (number, "bad", f"Sorry, {strings[3]} me")
    ]
