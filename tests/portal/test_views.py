"""Portal pages through the test client: signing in by link (no enumeration, rate limits),
who reaches which ticket (route × principal × tenant), replying, closing, and downloads."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from supportdesk.attachments.service import Upload, attach
from supportdesk.extensions import db
from supportdesk.mail.outbound.models import PORTAL_SIGN_IN, EmailMessage
from supportdesk.selfservice import service
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Message, Status
from tests.factories import CustomerFactory, make_ticket
from tests.fixtures.web import csrf_token, login_as
from tests.portal.conftest import portal_sign_in

pytestmark = pytest.mark.integration

LINK = re.compile(r"https?://\S+/help/[\w-]+/portal/link/([\w-]+)")


def _base(org) -> str:
    return f"/help/{org.slug}/portal"


def _ask(client, org, email):
    page = client.get(f"{_base(org)}/")
    return client.post(
        f"{_base(org)}/",
        data={"csrf_token": csrf_token(page), "email": email},
        follow_redirects=True,
    )


def _link_secret(address: str) -> str:
    email = db.session.scalars(
        sa.select(EmailMessage)
        .where(EmailMessage.kind == PORTAL_SIGN_IN, EmailMessage.to_address == address)
        .order_by(EmailMessage.id.desc())
    ).first()
    return LINK.search(email.text_body).group(1)


def test_a_customer_signs_in_with_the_mailed_link_once(
    client, org, customer, ticket, mail_config, run_worker
):
    base, address, subject = _base(org), customer.email, ticket.subject  # the worker ends
    answer = _ask(client, org, address)  # the test's session
    assert "we sent it a sign-in link" in answer.get_data(as_text=True)
    run_worker()  # the job that looks the address up and mails the link
    secret = _link_secret(address)
    page = client.get(f"{base}/link/{secret}")
    assert page.status_code == 200  # a GET (a mail scanner) uses nothing up
    signed = client.post(f"{base}/link/{secret}", data={"csrf_token": csrf_token(page)})
    assert signed.status_code == 302 and signed.location.endswith("/portal/tickets")
    listing = client.get(f"{base}/tickets").get_data(as_text=True)
    assert subject in listing
    again = client.post(f"{base}/link/{secret}", data={"csrf_token": csrf_token(page)})
    assert again.status_code == 410


def test_known_and_unknown_addresses_get_the_same_answer(
    client, org, customer, mail_config, run_worker
):
    def page(email: str) -> str:
        html = _ask(client, org, email).get_data(as_text=True).replace(email, "X")
        # The form's CSRF token carries the second it was made in: not part of the answer.
        return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", html)

    assert page(customer.email) == page("nobody@example.com")
    run_worker()
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(EmailMessage)
            .where(EmailMessage.kind == PORTAL_SIGN_IN)
        )
        == 1
    )


def test_asking_does_the_same_work_for_known_and_unknown_addresses(
    app, org, customer, mail_config, run_worker, query_counter
):
    """No lookup in the request (its time would tell addresses apart): each answer runs the
    same statements and queues the same job; the job alone finds the customer and mails them."""
    from rq import Queue

    from supportdesk.selfservice.models import PortalLink

    def ask(email: str) -> list[str]:
        visitor = app.test_client()
        page = visitor.get(f"{_base(org)}/")
        with query_counter() as queries:
            answer = visitor.post(
                f"{_base(org)}/", data={"csrf_token": csrf_token(page), "email": email}
            )
        assert answer.status_code == 302
        return queries.statements

    org_id, customer_id, email = org.id, customer.id, customer.email  # the worker ends the session
    assert ask(email) == ask("nobody@example.com")
    queued = Queue("emails", connection=app.extensions["redis"]).jobs
    assert [(job.func_name, job.args) for job in queued] == [
        (service.SEND_LINK_JOB, (org_id, email)),
        (service.SEND_LINK_JOB, (org_id, "nobody@example.com")),
    ]
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(PortalLink))

    run_worker()
    [link] = db.session.scalars(sa.select(PortalLink)).all()
    assert link.customer_id == customer_id
    sent = db.session.scalars(
        sa.select(EmailMessage.to_address).where(EmailMessage.kind == PORTAL_SIGN_IN)
    ).all()
    assert sent == [email]


def test_a_link_asked_for_while_redis_is_down_is_not_lost(app, client, org, customer):
    """The request keeps no row for a sweep to find: with Redis down its job runs in the web
    process after the commit, so the link is made and its mail queued all the same."""
    from redis import Redis

    from supportdesk.selfservice.models import PortalLink

    customer_id, address = customer.id, customer.email
    working, app.extensions["redis"] = (
        app.extensions["redis"],
        Redis.from_url("redis://127.0.0.1:1/0"),
    )
    try:
        assert _ask(client, org, address).status_code == 200
    finally:
        app.extensions["redis"].close()
        app.extensions["redis"] = working
    [link] = db.session.scalars(sa.select(PortalLink)).all()
    assert link.customer_id == customer_id
    assert _link_secret(address)  # its mail is an outbox row, sent once Redis is back


def test_link_requests_are_limited_per_address(app, client, org, customer):
    limit = int(app.config["PORTAL_LINK_REQUESTS_PER_EMAIL"])
    answers = [_ask(client, org, customer.email).status_code for _ in range(limit + 1)]
    assert answers[:limit] == [200] * limit and answers[-1] == 429


def test_link_requests_are_limited_per_client(app, client, org, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_LINK_REQUESTS_PER_CLIENT", 2)
    answers = [_ask(client, org, f"p{n}@example.com").status_code for n in range(3)]
    assert answers == [200, 200, 429]


def test_an_unknown_organization_is_a_404(client):
    assert client.get("/help/no-such-org/portal/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, org, ticket):
    response = client.get(f"{_base(org)}/tickets/{ticket.number}")
    assert response.status_code == 302 and response.location.endswith(f"{_base(org)}/")


def test_an_agent_session_is_not_a_portal_session(client, org, agent, ticket):
    login_as(client, agent)
    assert client.get(f"{_base(org)}/tickets").status_code == 302


# -- route × principal × tenant ------------------------------------------------------------------


@pytest.fixture
def world(org, other_org):
    """Ann and Bob at Initech, Eve alone, and Olga of another organization with the same address."""
    ann = CustomerFactory(organization=org, company="Initech", email="ann@initech.example")
    bob = CustomerFactory(organization=org, company="Initech")
    eve = CustomerFactory(organization=org)
    olga = CustomerFactory(organization=other_org, email="ann@initech.example")
    ann_ticket = make_ticket(org, customer=ann, subject="Ann's printer")
    message = db.session.scalars(sa.select(Message).where(Message.ticket_id == ann_ticket.id)).one()
    [file] = attach(message, [Upload("invoice.pdf", "application/pdf", b"%PDF-1.4 test")])
    db.session.flush()
    make_ticket(other_org, customer=olga, subject="Olga's ticket")
    return {"ann": ann, "bob": bob, "eve": eve, "olga": olga, "ticket": ann_ticket, "file": file}


ROUTES = [
    pytest.param("GET", "/tickets/{n}", id="show"),
    pytest.param("GET", "/tickets/{n}/files/{f}", id="download"),
    pytest.param("POST", "/tickets/{n}", id="reply"),
    pytest.param("POST", "/tickets/{n}/close", id="close"),
]
# Who reaches Ann's ticket: the expected status of each principal (company tickets on/off).
PRINCIPALS = [
    pytest.param("ann", False, {"GET": 200, "POST": 302}, id="owner"),
    pytest.param("bob", False, {"GET": 404, "POST": 404}, id="colleague-company-off"),
    pytest.param("bob", True, {"GET": 200, "POST": 302}, id="colleague-company-on"),
    pytest.param("eve", True, {"GET": 404, "POST": 404}, id="stranger"),
    pytest.param("olga", True, {"GET": 302, "POST": 302}, id="other-org-same-address"),
    pytest.param(None, True, {"GET": 302, "POST": 302}, id="signed-out"),
]


@pytest.mark.parametrize(("who", "company", "expected"), PRINCIPALS)
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_route_by_principal_and_tenant(
    client, org, admin, world, who, company, expected, method, path
):
    service.update_settings(
        admin, company_tickets=company, contact_form=True, csat_enabled=True, csat_delay_hours=0
    )
    db.session.commit()
    if who is not None:
        portal_sign_in(client, world[who])
    url = _base(org) + path.format(n=world["ticket"].number, f=world["file"].id)
    if method == "GET":
        response = client.get(url)
    else:
        token = csrf_token(client.get(f"{_base(org)}/contact"))
        response = client.post(url, data={"csrf_token": token, "body": "Any news?"})
    assert response.status_code == expected[method], response.get_data(as_text=True)[:300]
    if who == "olga" or who is None:
        assert response.location.endswith(f"{_base(org)}/")  # signed out here


def test_a_portal_session_of_one_organization_is_nothing_in_another(client, org, other_org, world):
    portal_sign_in(client, world["ann"])
    response = client.get(f"{_base(other_org)}/tickets")
    assert response.status_code == 302
    assert "Olga" not in client.get(f"{_base(org)}/tickets").get_data(as_text=True)


# -- replying and closing ----------------------------------------------------------------------


def test_the_customer_replies_with_a_file_and_never_sees_notes(
    client, org, agent, customer, ticket
):
    tickets.add_note(agent, ticket, "Secret internal remark")
    tickets.reply(agent, ticket, "Could you send a screenshot?")
    db.session.commit()
    portal_sign_in(client, customer)
    page = client.get(f"{_base(org)}/tickets/{ticket.number}")
    text = page.get_data(as_text=True)
    assert "Could you send a screenshot?" in text and "Secret internal remark" not in text
    response = client.post(
        f"{_base(org)}/tickets/{ticket.number}",
        data={
            "csrf_token": csrf_token(page),
            "body": "Here it is",
            "attachments": (io.BytesIO(b"\x89PNG\r\n\x1a\nxx"), "screen.png"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Your reply was added" in response.get_data(as_text=True)
    assert "screen.png" in response.get_data(as_text=True)
    last = db.session.scalars(
        sa.select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id.desc())
    ).first()
    assert (last.author_customer_id, last.body_text) == (customer.id, "Here it is")


def test_an_empty_reply_comes_back_with_a_field_error(client, org, customer, ticket):
    portal_sign_in(client, customer)
    page = client.get(f"{_base(org)}/tickets/{ticket.number}")
    response = client.post(
        f"{_base(org)}/tickets/{ticket.number}", data={"csrf_token": csrf_token(page), "body": ""}
    )
    assert response.status_code == 422 and "field-error" in response.get_data(as_text=True)


def test_the_customer_closes_the_ticket(client, org, customer, ticket):
    portal_sign_in(client, customer)
    page = client.get(f"{_base(org)}/tickets/{ticket.number}")
    response = client.post(
        f"{_base(org)}/tickets/{ticket.number}/close",
        data={"csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    assert "Your request is closed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(ticket), ticket.id).status is Status.CLOSED


def test_portal_pages_are_never_cached(client, org, customer):
    portal_sign_in(client, customer)
    assert client.get(f"{_base(org)}/tickets").headers["Cache-Control"] == "no-store"


def test_signing_out_ends_the_portal_session(client, org, customer):
    portal_sign_in(client, customer)
    page = client.get(f"{_base(org)}/tickets")
    client.post(f"{_base(org)}/sign-out", data={"csrf_token": csrf_token(page)})
    assert client.get(f"{_base(org)}/tickets").status_code == 302


def test_a_portal_session_ends_after_its_hours(app, client, org, customer, monkeypatch):
    portal_sign_in(client, customer)
    assert client.get(f"{_base(org)}/tickets").status_code == 200
    monkeypatch.setitem(app.config, "PORTAL_SESSION_HOURS", 0)
    assert client.get(f"{_base(org)}/tickets").status_code == 302


def test_a_session_naming_another_organization_s_customer_reaches_nothing(client, org, other_org):
    stranger = CustomerFactory(organization=other_org)
    with client.session_transaction() as session:
        session["portal"] = {"org": org.id, "customer": stranger.id, "at": 2**31}
    assert client.get(f"{_base(org)}/tickets").status_code == 302
