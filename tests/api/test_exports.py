"""Export endpoints: ask for a search's tickets (the parameters the search page takes, a list for
a repeated filter), follow it, download it; a bad parameter shape is a 422 naming the field."""

from __future__ import annotations

import csv
import io

import pytest

from supportdesk.extensions import db
from supportdesk.tickets.models import Status
from tests.exports.helpers import work
from tests.factories import make_ticket

pytestmark = pytest.mark.integration


def test_an_export_of_a_search_holds_the_tickets_it_finds(app, api, org):
    wanted = {
        make_ticket(org, subject="Refund, please").number,
        make_ticket(org, subject="Second refund", status=Status.PENDING).number,
    }
    make_ticket(org, subject="Closed refund", status=Status.CLOSED)
    make_ticket(org, subject="Printer")
    db.session.commit()
    asked = {"q": "refund", "status": ["open", "pending"]}
    response = api.post("/exports", json={"kind": "tickets", "parameters": asked})
    assert response.status_code == 202, response.get_json()
    export = response.get_json()
    assert (export["status"], export["parameters"]) == ("queued", asked)
    work(app)
    done = api.get(f"/exports/{export['id']}").get_json()
    assert (done["status"], done["rows"]) == ("completed", 2)
    file = api.get(f"/exports/{export['id']}/download")
    rows = list(csv.DictReader(io.StringIO(file.get_data(as_text=True))))
    assert {int(r["number"]) for r in rows} == wanted


def test_a_parameter_that_is_neither_text_nor_a_list_of_text_is_refused(api):
    response = api.post("/exports", json={"kind": "tickets", "parameters": {"q": {"x": 1}}})
    assert response.status_code == 422
    assert any("parameters" in field for field in response.get_json()["error"]["fields"])
