"""The contact form, on its own page and embeddable in the organization's website (an iframe)."""

from __future__ import annotations

from flask import g, make_response, redirect, render_template, url_for
from flask_babel import gettext as _

from supportdesk import i18n
from supportdesk.extensions import csrf
from supportdesk.portal import bp
from supportdesk.portal.forms import ContactForm
from supportdesk.portal.views import allow_or_refuse
from supportdesk.selfservice import contact as rules
from supportdesk.selfservice.service import settings_for
from supportdesk.submit import Saved, submit

# The embeddable copy may be framed by any site (it is the organization's to place); the rest of
# the policy stays as strict as everywhere.
EMBED_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors *; "
    "base-uri 'none'; object-src 'none'"
)


def _open(form: ContactForm):
    if form.website.data:
        return None  # the honeypot: a bot filled it in; answered as a success, nothing opened
    rules.check_stamp(form.stamp.data)
    allow_or_refuse(
        "contact", "CONTACT_REQUESTS_PER_CLIENT", "CONTACT_REQUESTS_PER_EMAIL", form.email.data
    )
    return rules.open_request(
        g.portal_org.id,
        name=form.name.data or "",
        email=form.email.data,
        subject=form.subject.data,
        body=form.body.data,
        uploads=form.uploads(),
        language=i18n.request_language(),
    )


def _serve(embedded: bool):
    if not settings_for(g.portal_org.id).contact_form:
        return render_template(
            "portal/message.html",
            title=_("Contact form closed"),
            message=_(
                "Write to us by email instead. %(name)s does not take requests here.",
                name=g.portal_org.name,
            ),
        ), 404
    form = ContactForm(meta={"csrf": False}) if embedded else ContactForm()
    endpoint = "portal.contact_embed" if embedded else "portal.contact"

    def page(error):
        form.stamp.data = rules.form_stamp()
        form.website.data = ""
        return render_template("portal/contact.html", form=form, embedded=embedded)

    return submit(
        form,
        lambda: _open(form),
        # In another site's frame the browser keeps no session cookie, so no flashed message:
        # the embedded page says it itself from the address.
        done=lambda _result: (
            redirect(url_for(endpoint, sent=1))
            if embedded
            else Saved(
                _(
                    "Thank you! We received your request and sent a confirmation to %(email)s.",
                    email=form.email.data,
                ),
                url_for(endpoint, sent=1),
            )
        ),
        page=page,
    )


@bp.route("/contact", methods=["GET", "POST"])
def contact():
    """Open a request on the web (channel `web`); the customer gets a confirmation email."""
    return _serve(embedded=False)


@bp.route("/contact/embed", methods=["GET", "POST"])
@csrf.exempt
def contact_embed():
    """The same form without the portal's header, for an iframe on the organization's site.

    Without CSRF: in another site's frame the browser sends no session cookie (SameSite), and a
    form that signs nobody in has no session to protect; the signed time stamp still has to be
    one this server issued.
    """
    response = make_response(_serve(embedded=True))
    response.headers["Content-Security-Policy"] = EMBED_POLICY
    return response
