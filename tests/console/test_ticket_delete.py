"""The console's ticket deletion: admins only, against the version confirmed, with a reason."""

from __future__ import annotations

import pytest

from supportdesk.extensions import db
from supportdesk.tickets import service
from supportdesk.tickets.deletions import TicketDeletion
from supportdesk.tickets.models import Priority, Ticket
from tests.factories import UserFactory, make_ticket
from tests.fixtures.web import csrf_token, login_as

pytestmark = pytest.mark.integration


def _confirm(client, ticket) -> str:
    return csrf_token(client.get(f"/tickets/{ticket.number}/delete"))


def _deletions() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(TicketDeletion))


def test_the_confirmation_page_names_what_goes(client, admin, ticket):
    login_as(client, admin)

    page = client.get(f"/tickets/{ticket.number}/delete")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"Delete ticket #{ticket.number}?" in text
    assert "cannot be undone" in text
    assert f'name="version" type="hidden" value="{ticket.version}"' in text


def test_an_admin_deletes_with_a_reason(client, admin, ticket):
    login_as(client, admin)
    token, ticket_id = _confirm(client, ticket), ticket.id

    response = client.post(
        f"/tickets/{ticket.number}/delete",
        data={"csrf_token": token, "version": ticket.version, "reason": "Opened by mistake"},
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Ticket, ticket_id) is None
    assert db.session.scalar(db.select(TicketDeletion.reason)) == "Opened by mistake"


def test_a_ticket_changed_since_the_confirmation_is_not_deleted(client, admin, agent, ticket):
    login_as(client, admin)
    token, seen = _confirm(client, ticket), ticket.version
    service.change_priority(agent, ticket, Priority.HIGH)
    db.session.commit()

    response = client.post(
        f"/tickets/{ticket.number}/delete", data={"csrf_token": token, "version": seen}
    )

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "was changed by someone else after you opened it" in page
    assert f'name="version" type="hidden" value="{ticket.version}"' in page  # confirm the new one
    assert db.session.get(Ticket, ticket.id) is not None
    assert _deletions() == 0


@pytest.mark.parametrize(
    ("data", "status"),
    [
        pytest.param({"version": "1", "reason": "x" * 501}, 422, id="reason too long"),
        pytest.param({"version": "one"}, 422, id="version not a number"),
    ],
)
def test_a_bad_confirmation_deletes_nothing(client, admin, ticket, data, status):
    login_as(client, admin)
    token = _confirm(client, ticket)

    response = client.post(f"/tickets/{ticket.number}/delete", data={"csrf_token": token, **data})

    assert response.status_code == status
    assert db.session.get(Ticket, ticket.id) is not None


@pytest.mark.parametrize("role", ["agent", "senior_agent", "viewer"])
def test_only_admins_may_delete(client, request, ticket, role):
    login_as(client, request.getfixturevalue(role))

    assert client.get(f"/tickets/{ticket.number}/delete").status_code == 403
    assert client.post(f"/tickets/{ticket.number}/delete", data={}).status_code in (400, 403)
    assert client.get("/admin/deleted-tickets").status_code == 403
    assert db.session.get(Ticket, ticket.id) is not None


def test_the_deletion_record_page_lists_only_this_organizations(
    client, admin, org, other_org, ticket
):
    stranger = UserFactory(organization=other_org, role=admin.role)
    foreign = make_ticket(other_org, subject="Not yours")
    db.session.commit()
    service.delete_ticket(stranger, foreign)
    service.delete_ticket(admin, ticket, reason="<b>spam</b>")
    db.session.commit()
    login_as(client, admin)

    text = client.get("/admin/deleted-tickets").get_data(as_text=True)

    assert f"#{ticket.number}" in text and "&lt;b&gt;spam&lt;/b&gt;" in text
    assert "Not yours" not in text
