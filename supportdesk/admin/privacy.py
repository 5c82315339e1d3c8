"""Admin pages of customers' data rights: request and download exports, erase a customer."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext
from flask_login import current_user

from supportdesk.admin import bp
from supportdesk.admin.privacy_forms import CustomerEmailForm, EraseForm
from supportdesk.console.access import requires
from supportdesk.errors import DomainError
from supportdesk.privacy import erase, export
from supportdesk.storage import CHUNK, storage
from supportdesk.submit import Saved, commit, show_error, submit


def _page(form: CustomerEmailForm, status: int = 200):
    exports = export.recent_exports(current_user.organization_id)
    return render_template("admin/privacy.html", form=form, exports=exports), status


@bp.get("/privacy")
@requires("customer.data_rights")
def privacy_show():
    """The data rights page: a customer's email to export or erase, and the latest exports."""
    return _page(CustomerEmailForm(data={"email": request.args.get("email", "")}))


@bp.post("/privacy/exports")
@requires("customer.data_rights")
def privacy_export_new():
    """Queue an export of the customer named by email; the page shows its progress."""
    form = CustomerEmailForm()

    def save():
        customer = erase.find_customer(current_user.organization_id, form.email.data)
        return export.request_export(current_user, customer)

    return submit(
        form,
        save,
        done=lambda row: Saved(
            gettext("Export requested; the archive is being built."),
            url_for("admin.privacy_export_show", data_export_id=row.id),
        ),
        page=lambda _: _page(form)[0],
    )


@bp.get("/privacy/exports/<int:data_export_id>")
@requires("customer.data_rights")
def privacy_export_show(data_export_id: int):
    """One export's status and progress (the page refreshes itself until it is finished)."""
    row = export.get_export(current_user.organization_id, data_export_id)
    return render_template("admin/privacy_export.html", row=row)


@bp.get("/privacy/exports/<int:data_export_id>/download")
@requires("customer.data_rights")
def privacy_export_download(data_export_id: int):
    """The archive itself (recorded in the audit log before a byte is sent)."""
    row = export.get_export(current_user.organization_id, data_export_id)
    try:
        export.record_download(current_user, row)
        commit()
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.privacy_export_show", data_export_id=data_export_id))

    def chunks():
        with storage().open(row.storage_key) as f:
            while piece := f.read(CHUNK):
                yield piece

    return Response(
        stream_with_context(chunks()),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{row.filename}"',
            "Content-Length": str(row.size),
        },
    )


@bp.route("/privacy/erase", methods=["GET", "POST"])
@requires("customer.data_rights")
def privacy_erase():
    """Erase a customer for good, after the admin typed their email again."""
    form = EraseForm(data={"email": request.args.get("email", "")})
    customer, summary, error = None, None, None
    try:
        customer = erase.find_customer(current_user.organization_id, form.email.data or "")
        summary = erase.summary(customer)
    except DomainError as exc:
        error = exc

    def save():
        if error is not None:
            raise error
        return erase.erase_customer(current_user, customer, confirmation=form.confirmation.data)

    def page(_):
        if error is not None and request.method == "GET":
            show_error(form, error)
        return render_template(
            "admin/privacy_erase.html", form=form, customer=customer, summary=summary
        )

    return submit(
        form,
        save,
        done=lambda counts: Saved(
            gettext(
                "The customer was erased (%(rows)s rows changed or removed).",
                rows=sum(counts.values()),
            ),
            url_for("admin.privacy_show"),
        ),
        page=page,
    )
