"""Satisfaction surveys: created at each resolution, mailed, rated once, commented once. Flush only.

- `on_ticket_events` (a subscriber, before mail.rules): a resolution of an organization with
  surveys switched on gets a survey row, due now or after its delay.
- A survey due at once rides in the resolution email (`claim_for_resolution_mail`); a delayed
  one (or one whose resolution email is switched off) is mailed by `send_due_surveys`, unless
  the ticket was reopened meanwhile (the survey is dropped).
- `rate`: the first click of a link records the rating; later clicks change nothing.
  `comment`: one comment per survey. Both append a `rated` history entry (webhook
  `ticket.rated`).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from supportdesk import events
from supportdesk.accounts.resets import LinkInvalid
from supportdesk.customers.models import Customer
from supportdesk.db import utcnow
from supportdesk.errors import Conflict, ValidationFailed
from supportdesk.extensions import db
from supportdesk.kb.hosts import PublicSite, public_url
from supportdesk.satisfaction import links
from supportdesk.satisfaction.models import MAX_COMMENT, Rating, SatisfactionRating
from supportdesk.selfservice.service import settings_for
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import EventKind, Status, Ticket, TicketEvent

SWEEP_BATCH = 200


@dataclass(frozen=True)
class SurveyDue:
    """A delayed survey to mail now (mail.rules mails it to the ticket's customer)."""

    organization_id: int
    ticket_id: int
    survey_id: int


def on_ticket_events(items: list[Any]) -> None:
    """The subscriber (supportdesk.events): a survey for each resolution, if switched on."""
    for event in items:
        if not (
            isinstance(event, TicketEvent)
            and event.kind is EventKind.STATUS
            and (event.data or {}).get("new") == Status.RESOLVED.value
        ):
            continue
        settings = settings_for(event.organization_id)
        if not settings.csat_enabled:
            continue
        ticket = db.session.get(Ticket, event.ticket_id)
        at = event.created_at or utcnow()
        db.session.add(
            SatisfactionRating(
                organization_id=ticket.organization_id,
                ticket_id=ticket.id,
                customer_id=ticket.customer_id,
                assignee_id=ticket.assignee_id,
                team_id=ticket.team_id,
                created_at=at,
                send_after=at + dt.timedelta(hours=settings.csat_delay_hours),
            )
        )
    db.session.flush()


def survey_view(survey: SatisfactionRating, org: PublicSite) -> dict[str, Any]:
    """What an email shows of a survey: a link per rating and the comment page."""
    token = links.sign(survey.organization_id, survey.id)
    rate = {r.value: public_url(org, "portal.rate", token=token, rating=r.value) for r in Rating}
    return {
        "links": [{"rating": r.value, "label": r.label, "url": rate[r.value]} for r in Rating],
        "comment_url": public_url(org, "portal.rating_comment", token=token),
    }


def claim_for_resolution_mail(ticket: Ticket, org: PublicSite) -> dict[str, Any] | None:
    """The survey due now for this resolution, marked sent (the resolution email carries it)."""
    survey = db.session.scalar(
        sa.select(SatisfactionRating)
        .where(
            SatisfactionRating.organization_id == ticket.organization_id,
            SatisfactionRating.ticket_id == ticket.id,
            SatisfactionRating.sent_at.is_(None),
            SatisfactionRating.send_after <= utcnow(),
        )
        .order_by(SatisfactionRating.id.desc())
        .limit(1)
    )
    if survey is None:
        return None
    survey.sent_at = utcnow()
    return survey_view(survey, org)


def send_due_surveys(limit: int = SWEEP_BATCH) -> int:
    """Mail the surveys whose time came (run by the periodic job); returns how many were handled."""
    rows = db.session.scalars(
        sa.select(SatisfactionRating)
        .where(SatisfactionRating.sent_at.is_(None), SatisfactionRating.send_after <= utcnow())
        .order_by(SatisfactionRating.send_after)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for survey in rows:
        ticket = db.session.get(Ticket, survey.ticket_id)
        if ticket.status not in (Status.RESOLVED, Status.CLOSED):
            db.session.delete(survey)  # reopened since: this resolution did not hold
            continue
        survey.sent_at = utcnow()
        events.record(db.session, SurveyDue(survey.organization_id, survey.ticket_id, survey.id))
    db.session.flush()
    return len(rows)


# -- the customer's answers ------------------------------------------------------------------


class AlreadyRated(Conflict):
    """The survey was answered already: a link works once."""


def open_survey(organization_id: int, token: str) -> SatisfactionRating:
    """The survey a link names in this organization (LinkInvalid for anything else)."""
    survey_id = links.survey_id_from(organization_id, token)
    survey = db.session.scalar(
        sa.select(SatisfactionRating)
        .where(
            SatisfactionRating.organization_id == organization_id,
            SatisfactionRating.id == survey_id,
        )
        .with_for_update()
    )
    if survey is None:
        raise LinkInvalid(_("This survey link is not valid."))
    return survey


def parse_rating(rating: str) -> Rating:
    """The survey answer a link or form names (good, okay or bad)."""
    try:
        return Rating(rating)
    except ValueError as exc:
        raise ValidationFailed(
            _("Choose good, okay or bad."), {"rating": _("Unknown rating.")}
        ) from exc


def rate(organization_id: int, token: str, rating: str) -> SatisfactionRating:
    """Record the customer's rating, once; AlreadyRated afterwards."""
    chosen = parse_rating(rating)
    survey = open_survey(organization_id, token)
    if survey.rating is not None:
        raise AlreadyRated(
            _(
                "You already rated this request “%(rating)s”. Thank you!",
                rating=_(survey.rating.label),
            )
        )
    now = utcnow()
    survey.rating, survey.rated_at = chosen, now
    if survey.sent_at is None:
        survey.sent_at = now
    _history(survey, {"survey_id": survey.id})
    db.session.flush()
    return survey


def comment(organization_id: int, token: str, text: str) -> SatisfactionRating:
    """Add the customer's comment to their rating (once)."""
    survey = open_survey(organization_id, token)
    text = (text or "").strip()
    if survey.rating is None:
        raise ValidationFailed(_("Choose a rating first."), {"rating": _("Choose a rating.")})
    if survey.commented_at is not None:
        raise AlreadyRated(_("You already sent a comment. Thank you!"))
    if not text:
        raise ValidationFailed(
            _("The comment is empty."), {"comment": _("Write a few words first.")}
        )
    if len(text) > MAX_COMMENT:
        raise ValidationFailed(
            _("The comment is too long."),
            {"comment": _("Use at most %(count)s characters.", count=MAX_COMMENT)},
        )
    survey.comment, survey.commented_at = text, utcnow()
    _history(survey, {"survey_id": survey.id, "comment": text})
    db.session.flush()
    return survey


def _history(survey: SatisfactionRating, data: dict[str, Any]) -> None:
    ticket = db.session.get(Ticket, survey.ticket_id)
    customer = db.session.get(Customer, survey.customer_id)
    tickets.record_rating(ticket, customer, survey.rating.value, survey.rating.label, **data)


# -- reads -----------------------------------------------------------------------------------


def for_ticket(organization_id: int, ticket_id: int) -> list[SatisfactionRating]:
    """The ticket's surveys, newest first."""
    return list(
        db.session.scalars(
            sa.select(SatisfactionRating)
            .where(
                SatisfactionRating.organization_id == organization_id,
                SatisfactionRating.ticket_id == ticket_id,
            )
            .order_by(SatisfactionRating.id.desc())
        )
    )


def latest_rating(organization_id: int, ticket_id: int) -> SatisfactionRating | None:
    """The ticket's newest answered survey, if any (the ticket page shows it)."""
    return db.session.scalar(
        _latest_rating_statement(), {"organization_id": organization_id, "ticket_id": ticket_id}
    )


def rating_exists(organization_id, ticket_id) -> sa.Exists:
    """Whether latest_rating would find a rating: the ticket page reads it with the ticket
    (correlated to its row) and skips latest_rating's query when there is none."""
    return sa.exists().where(*_answered(organization_id, ticket_id))


def _answered(organization_id, ticket_id) -> tuple:
    return (
        SatisfactionRating.organization_id == organization_id,
        SatisfactionRating.ticket_id == ticket_id,
        SatisfactionRating.rating.is_not(None),
    )


@functools.cache
def _latest_rating_statement() -> sa.Select:
    # Built once: every ticket page runs it.
    return (
        sa.select(SatisfactionRating)
        .where(*_answered(sa.bindparam("organization_id"), sa.bindparam("ticket_id")))
        .order_by(SatisfactionRating.rated_at.desc(), SatisfactionRating.id.desc())
        .limit(1)
    )
