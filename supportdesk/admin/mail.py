"""Admin pages for inbound mail: support addresses, and kept (unprocessed) mail to retry or delete."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.admin import bp
from supportdesk.admin.forms import AddressForm, ConfirmForm
from supportdesk.console.access import requires
from supportdesk.mail.identity import support_addresses
from supportdesk.mail.inbound import queries, service
from supportdesk.mail.inbound.models import InboundStatus
from supportdesk.mail.inbound.parse import decode_bytes
from supportdesk.submit import Saved, act, submit


def _addresses_page(form: AddressForm) -> str:
    return render_template(
        "admin/addresses.html",
        addresses=queries.list_addresses(current_user.organization_id),
        forward_to=support_addresses.default_address_for(current_user.organization),
        form=form,
        confirm=ConfirmForm(),
    )


@bp.get("/addresses")
@requires("mail.manage")
def address_list():
    """The organization's support addresses and a form to add one."""
    return _addresses_page(AddressForm())


_VERIFY_SENT = (
    "We mailed a one-time code to {address}. Forward that address's mail to supportdesk: "
    "it is verified when the code comes back in, and routes nothing until then."
)


def _added(row) -> Saved:
    if row.verified:
        return Saved(
            gettext("Mail to %(address)s now opens tickets here.", address=row.address),
            url_for("admin.address_list"),
        )
    return Saved(_VERIFY_SENT.format(address=row.address), url_for("admin.address_list"), "info")


@bp.post("/addresses")
@requires("mail.manage")
def address_create():
    """Add a support address."""
    form = AddressForm()
    return submit(
        form,
        lambda: support_addresses.add_address(current_user, form.address.data),
        done=_added,
        page=lambda _: _addresses_page(form),
    )


@bp.post("/addresses/<int:address_id>/verify")
@requires("mail.manage")
def address_resend(address_id: int):
    """Mail a new verification code to an unverified address."""
    return act(
        lambda: support_addresses.resend_verification(current_user, address_id),
        done=lambda row: Saved(
            _VERIFY_SENT.format(address=row.address), url_for("admin.address_list"), "info"
        ),
        back=url_for("admin.address_list"),
    )


@bp.post("/addresses/<int:address_id>/default")
@requires("mail.manage")
def address_make_default(address_id: int):
    """Make a verified address the default one."""
    return act(
        lambda: support_addresses.make_default(current_user, address_id),
        done=lambda row: Saved(
            gettext("%(address)s is now the default address.", address=row.address),
            url_for("admin.address_list"),
        ),
        back=url_for("admin.address_list"),
    )


@bp.post("/addresses/<int:address_id>/delete")
@requires("mail.manage")
def address_delete(address_id: int):
    """Remove an address (mail to it is kept as unprocessed from then on)."""
    return act(
        lambda: support_addresses.remove_address(current_user, address_id),
        done=lambda _: Saved(gettext("Address removed."), url_for("admin.address_list")),
        back=url_for("admin.address_list"),
    )


@bp.get("/inbound")
@requires("mail.manage")
def inbound_list():
    """Every message received lately, filterable by what became of it."""
    wanted = request.args.get("status", "")
    status = InboundStatus(wanted) if wanted in {s.value for s in InboundStatus} else None
    return render_template(
        "admin/inbound.html",
        rows=queries.list_inbound(current_user.organization_id, status=status),
        status=status,
        statuses=list(InboundStatus),
    )


@bp.get("/unprocessed")
@requires("mail.manage")
def unprocessed_list():
    """Mail that was kept but not turned into a ticket: unrouted or unreadable."""
    return render_template(
        "admin/unprocessed.html",
        rows=queries.list_unprocessed(current_user.organization_id),
        confirm=ConfirmForm(),
    )


@bp.get("/inbound/<int:inbound_id>")
@requires("mail.manage")
def inbound_show(inbound_id: int):
    """One received message, raw text escaped; kept mail has retry and delete buttons."""
    inbound = queries.get_visible_inbound(current_user.organization_id, inbound_id)
    return render_template(
        "admin/inbound_show.html",
        inbound=inbound,
        raw=decode_bytes(inbound.raw or b"", "utf-8"),
        ticket_number=queries.ticket_number(current_user.organization_id, inbound.ticket_id),
        confirm=ConfirmForm(),
    )


def _retried(result) -> Saved:
    if result.ticket_number:
        to = url_for("console.ticket_show", number=result.ticket_number)
        return Saved(result.sentence(), to)
    return Saved(result.sentence(), url_for("admin.unprocessed_list"), "info")


@bp.post("/inbound/<int:inbound_id>/retry")
@requires("mail.manage")
def inbound_retry(inbound_id: int):
    """Process a kept message again (after adding the address it was sent to, say)."""
    return act(
        lambda: service.retry_inbound(current_user, inbound_id),
        done=_retried,
        back=url_for("admin.inbound_show", inbound_id=inbound_id),
    )


@bp.post("/inbound/<int:inbound_id>/delete")
@requires("mail.manage")
def inbound_delete(inbound_id: int):
    """Delete an unprocessed message for good (any other is kept)."""
    return act(
        lambda: service.delete_inbound(current_user, inbound_id),
        done=lambda _: Saved(gettext("Message deleted."), url_for("admin.unprocessed_list")),
        back=url_for("admin.inbound_show", inbound_id=inbound_id),
    )
