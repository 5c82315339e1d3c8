"""Portal pages of a signed-in customer, and signing in and out by emailed link."""

from __future__ import annotations

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from supportdesk import i18n
from supportdesk.accounts.resets import LinkInvalid
from supportdesk.attachments.download import serve
from supportdesk.auth.throttle import login_throttle
from supportdesk.errors import DomainError
from supportdesk.extensions import db
from supportdesk.portal import bp
from supportdesk.portal import session as portal_session
from supportdesk.portal.forms import ConfirmForm, ReplyForm, SignInForm
from supportdesk.portal.session import LANGUAGE_KEY
from supportdesk.selfservice import queries, service
from supportdesk.selfservice.contact import TooManyRequests
from supportdesk.submit import Saved, act, commit, submit


def allow_or_refuse(kind: str, client_limit: str, email_limit: str, email: str) -> None:
    """Count one request per client address and per email address; TooManyRequests past either
    limit (the same answer whether the address is known)."""
    config, throttle = current_app.config, login_throttle()
    address = request.remote_addr or "-"
    if not (
        throttle.allow(f"{kind}-client", address, int(config[client_limit]))
        and throttle.allow(f"{kind}-email", email or "", int(config[email_limit]))
    ):
        raise TooManyRequests(
            _(
                "Too many requests. Wait %(minutes)s minutes and try again.",
                minutes=throttle.window // 60,
            )
        )


def _request_link(form: SignInForm) -> None:
    allow_or_refuse(
        "portal-link",
        "PORTAL_LINK_REQUESTS_PER_CLIENT",
        "PORTAL_LINK_REQUESTS_PER_EMAIL",
        form.email.data,
    )
    service.request_link(g.portal_org.id, form.email.data)


@bp.route("/", methods=["GET", "POST"])
def sign_in():
    """Ask for a sign-in link. Known and unknown addresses get the very same answer, after the
    same work (selfservice.service.request_link: a job looks the address up)."""
    if portal_session.current_customer() is not None:
        return redirect(url_for("portal.ticket_list"))
    form = SignInForm()
    return submit(
        form,
        lambda: _request_link(form),
        done=lambda _result: Saved(
            _(
                "If %(email)s has written to us before, we sent it a sign-in link. It works once,"
                " for %(minutes)s minutes. Check your inbox (and spam folder).",
                email=form.email.data,
                minutes=current_app.config["PORTAL_LINK_MINUTES"],
            ),
            url_for("portal.sign_in"),
            "info",
        ),
        page=lambda _error: render_template("portal/sign_in.html", form=form),
    )


@bp.route("/link/<secret>", methods=["GET", "POST"])
def sign_in_link(secret: str):
    """The emailed link: a button signs in (a mail scanner that only GETs uses nothing up)."""
    form = ConfirmForm()
    if not form.is_submitted():
        return render_template("portal/sign_in_link.html", form=form)
    if not form.validate():
        return render_template("portal/sign_in_link.html", form=form), 400
    try:
        customer = service.use_link(g.portal_org.id, secret)
        commit()
    except LinkInvalid as exc:
        db.session.rollback()
        return render_template(
            "portal/message.html", title=_("Link expired"), message=exc.message
        ), 410
    portal_session.sign_in(customer)
    return redirect(url_for("portal.ticket_list"))


@bp.post("/language")
def language():
    """Switch the portal's language: kept in the session, and for a signed-in customer as the
    language of their pages and mail. Back to the page it was asked from (this portal only)."""
    code = i18n.supported(request.form.get("language"))
    if code is None:
        abort(400)
    customer = portal_session.current_customer()
    if customer is not None:
        service.choose_language(customer, code)
        commit()
    session[LANGUAGE_KEY] = code
    back = request.form.get("next") or ""
    if not back.startswith(f"/help/{g.portal_org.slug}/") or "//" in back or "\\" in back:
        back = url_for("portal.sign_in")
    return redirect(back)


@bp.post("/sign-out")
def sign_out():
    """End the customer's portal session (an agent's own sign-in is left alone)."""
    portal_session.sign_out()
    return redirect(url_for("portal.sign_in"))


@bp.get("/tickets")
@portal_session.customer_required
def ticket_list(customer):
    """The customer's requests (and their company's, when the organization allows it)."""
    settings = service.settings_for(g.portal_org.id)
    tickets = queries.list_tickets(customer, settings)
    return render_template(
        "portal/ticket_list.html", tickets=tickets, company=settings.company_tickets
    )


@bp.route("/tickets/<int:number>", methods=["GET", "POST"])
@portal_session.customer_required
def ticket_show(customer, number: int):
    """One request: the public conversation, a reply form and a close button."""
    ticket = queries.get_ticket(customer, service.settings_for(g.portal_org.id), number)
    form = ReplyForm()

    def page(error: DomainError | None):
        messages, files = queries.conversation(ticket)
        return render_template(
            "portal/ticket.html",
            ticket=ticket,
            messages=messages,
            files=files,
            form=form,
            close_form=ConfirmForm(),
        )

    return submit(
        form,
        lambda: service.reply(customer, ticket, form.body.data, form.uploads()),
        done=lambda _result: Saved(
            _("Your reply was added. We will get back to you."),
            url_for("portal.ticket_show", number=number),
        ),
        page=page,
    )


@bp.post("/tickets/<int:number>/close")
@portal_session.customer_required
def ticket_close(customer, number: int):
    """Close the request (solved, or no longer needed)."""
    ticket = queries.get_ticket(customer, service.settings_for(g.portal_org.id), number)
    back = url_for("portal.ticket_show", number=number)
    ConfirmForm().validate()
    return act(
        lambda: service.close(customer, ticket),
        done=lambda changed: Saved(
            _("Your request is closed. Thank you!")
            if changed
            else _("This request was already closed."),
            back,
        ),
        back=back,
    )


@bp.get("/tickets/<int:number>/files/<int:attachment_id>")
@portal_session.customer_required
def attachment_download(customer, number: int, attachment_id: int):
    """A file of the public conversation (a safe image may be shown inline)."""
    ticket = queries.get_ticket(customer, service.settings_for(g.portal_org.id), number)
    attachment = queries.get_attachment(ticket, attachment_id)
    return serve(attachment, inline=request.args.get("inline") == "1")
