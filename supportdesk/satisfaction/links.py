"""Signed survey links: the survey id and organization, signed with the app's key, dated.

A link only says which survey it is for; whether it still works (rated already, expired) is
decided by the row (supportdesk.satisfaction.service), so a link works once.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from supportdesk.accounts.resets import LinkInvalid

SALT = "supportdesk.satisfaction"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def sign(organization_id: int, survey_id: int) -> str:
    """The token of a survey's links."""
    return _serializer().dumps([organization_id, survey_id])


def survey_id_from(organization_id: int, token: str) -> int:
    """The survey a token names, if it is ours, this organization's and not expired."""
    max_age = int(float(current_app.config["CSAT_LINK_DAYS"]) * 86400)
    try:
        org_id, survey_id = _serializer().loads(token or "", max_age=max_age)
    except SignatureExpired as exc:
        raise LinkInvalid(_("This survey link has expired. Thank you all the same!")) from exc
    except (BadSignature, ValueError, TypeError) as exc:
        raise LinkInvalid(_("This survey link is not valid.")) from exc
    if org_id != organization_id or not isinstance(survey_id, int):
        raise LinkInvalid(_("This survey link is not valid."))
    return survey_id
