"""Inbound mail entrances: POST /inbound/email (webhooks), the LMTP server and the stdin pipe.

All three call supportdesk.mail.inbound.service.receive_email and commit once.
"""

from flask import Blueprint

bp = Blueprint("inbound", __name__)

from supportdesk.inbound import crm, views  # noqa: E402,F401  (registers the routes)
