"""The composer's console routes: send a reply or note, autosave a draft, preview Markdown.

The ticket page shows the composer (templates/console/_composer.html); the rules are services'
(supportdesk.composer, supportdesk.tickets.service).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from flask import jsonify, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from supportdesk import markdown
from supportdesk.composer import service as composer
from supportdesk.console import bp
from supportdesk.console.access import requires
from supportdesk.console.filters import parse_queue_filter
from supportdesk.console.forms import MessageForm
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.params import query_int
from supportdesk.submit import Saved, commit, submit
from supportdesk.tickets import queries, service
from supportdesk.tickets.errors import ReplyCollision
from supportdesk.tickets.models import Status
from supportdesk.tickets.service import MAX_BODY

# What a reply does to a ticket that is already done (supportdesk.tickets.lifecycle: an agent's
# reply never changes the status; a customer's answer reopens a resolved ticket, and mail to a
# closed one opens a new ticket: supportdesk.mail.inbound.service).
AFTER_REPLY = {
    Status.RESOLVED: "This ticket is resolved. Your reply is sent and the ticket stays resolved; "
    "if the customer answers, it reopens.",
    Status.CLOSED: "This ticket is closed. Your reply is sent but the ticket stays closed; "
    "if the customer answers, their mail opens a new ticket.",
}


def came_from() -> str:
    """The query string of the queue the agent opened the ticket from ("" when not a queue)."""
    if "from" in request.args:
        return request.args.get("from", "")[:2000]
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path == url_for("console.queue"):
        return referrer.query[:2000]
    return ""


def composer_form(
    ticket, form: MessageForm | None = None, last_seen: int = 0, *, has_draft: bool = True
) -> MessageForm:
    """The composer as shown: the agent's saved draft, or what they just posted. `last_seen`:
    the newest public message on the page (a reply that collides with a newer one asks).
    `has_draft=False`: the page knows the agent has no draft here (no query)."""
    if form is not None:
        return form
    draft = composer.draft_for(current_user, ticket) if has_draft else None
    data = {"from_queue": came_from(), "last_seen_message_id": str(last_seen)}
    if draft is not None:
        data |= {
            "kind": draft.mode,
            "body": draft.body,
            "cc": draft.cc,
            "time_spent_minutes": draft.time_spent_minutes,
        }
    return MessageForm(formdata=None, data=data)


@bp.post("/tickets/<int:number>/messages")
@requires("ticket.note")
def message_create(number: int):
    """Send a reply or add a note (the composer's mode), then show this ticket or the next one."""
    from supportdesk.console.tickets import ticket_page

    ticket = queries.get_ticket(current_user.organization_id, number)
    form = MessageForm()
    go_next = request.form.get("then") == "next"
    queue = form.from_queue.data or ""

    def save() -> int | None:
        target = composer.next_ticket(current_user, ticket, _queue(queue)) if go_next else None
        if form.internal:
            service.add_note(
                current_user, ticket, form.body.data, form.uploads(), body_format="markdown",
                time_spent_minutes=form.time_spent_minutes.data,
            )  # fmt: skip
        else:
            service.reply(
                current_user, ticket, form.body.data, form.uploads(), body_format="markdown",
                cc=form.cc.data, time_spent_minutes=form.time_spent_minutes.data,
                last_seen_message_id=query_int(form.last_seen_message_id.data, minimum=0),
            )  # fmt: skip
        composer.clear_draft(current_user, ticket)
        return target

    def done(target: int | None) -> Saved:
        said = (
            gettext("Internal note added.")
            if form.internal
            else gettext("Reply sent to the customer.")
        )
        if not go_next:
            return Saved(said, url_for("console.ticket_show", number=number, _anchor="composer"))
        if target is None:
            return Saved(
                gettext("%(said)s No next ticket in that queue.", said=said), _queue_url(queue)
            )
        return Saved(
            gettext("%(said)s Next: #%(target)s.", said=said, target=target),
            url_for("console.ticket_show", number=target, **({"from": queue} if queue else {})),
        )

    def page(error):
        if isinstance(error, ReplyCollision):
            # Sending again confirms: the composer has now seen the newest message.
            form.last_seen_message_id.data = str(error.messages[-1].id)
            return ticket_page(number, composer=form, collision=error.messages)
        return ticket_page(number, composer=form)

    return submit(form, save, done=done, page=page)


def _queue(query: str):
    return parse_queue_filter(MultiDict(parse_qsl(query))) if query else None


def _queue_url(query: str) -> str:
    return url_for("console.queue") + (f"?{query}" if query else "")


@bp.post("/tickets/<int:number>/draft")
@requires("ticket.note")
def draft_save(number: int):
    """Autosave the composer (JSON answer; an empty composer deletes the draft)."""
    ticket = queries.get_ticket(current_user.organization_id, number)
    form = request.form
    try:
        draft = composer.save_draft(
            current_user,
            ticket,
            mode=form.get("kind", "public"),
            body=form.get("body", ""),
            cc=form.get("cc", ""),
            time_spent_minutes=query_int(form.get("time_spent_minutes"), minimum=0),
        )
        commit()
    except DomainError as error:
        db.session.rollback()
        return jsonify(error={"message": str(error), "fields": error.fields}), error.status
    return jsonify(saved=draft is not None)


@bp.post("/markdown/preview")
@requires("ticket.note")
def markdown_preview():
    """The composer's Preview tab: the Markdown as the customer's email will show it."""
    body = request.form.get("body", "")[:MAX_BODY]
    return jsonify(html=markdown.to_html(body))
