"""API views of the audit log and of invitations (admins only): the same services and role
checks as the admin pages (`audit_log.view`, `agent.manage`)."""

from __future__ import annotations

from flask import url_for

from supportdesk.accounts import invitations
from supportdesk.accounts.permissions import require
from supportdesk.api import account_schemas as schemas
from supportdesk.api.access import actor, organization_id
from supportdesk.api.operations import operation
from supportdesk.audit.queries import AuditFilters, browse
from supportdesk.extensions import db

INVITATION_ID = {"invitation_id": "The invitation's id."}


@operation(
    "GET",
    "/audit-log",
    tag="Audit log",
    summary="List audit log entries",
    query=schemas.AuditQuery,
    response=schemas.AuditPage,
    response_example=schemas.AUDIT_PAGE,
    admins_only=True,
)
def audit_log_list(query: schemas.AuditQuery):
    """The organization's audit log, newest first, filtered by actor, action, target and time.
    Secrets are never in `before`/`after`. Admins only."""
    filters = AuditFilters(
        actor_user_id=query.actor_user_id,
        action=query.action,
        target_type=query.target_type,
        target_id=query.target_id,
        since=query.since,
        until=query.until,
    )
    page = browse(actor(), filters, before=query.before_id, limit=query.limit)
    return schemas.AuditPage(
        data=[schemas.AuditEntry.model_validate(e) for e in page.entries],
        next_cursor=str(page.next_before) if page.next_before is not None else None,
    )


@operation(
    "GET",
    "/invitations",
    tag="Invitations",
    summary="List pending invitations",
    response=schemas.InvitationList,
    response_example=schemas.INVITATION_LIST,
    admins_only=True,
)
def invitation_list():
    """Invitations neither accepted nor revoked (expired ones too, to resend). Admins only."""
    require(actor(), "agent.manage")
    rows = invitations.list_pending(organization_id())
    return schemas.InvitationList(data=[schemas.Invitation.model_validate(r) for r in rows])


@operation(
    "POST",
    "/invitations",
    tag="Invitations",
    summary="Invite an agent",
    status=201,
    body=schemas.InvitationCreate,
    response=schemas.Invitation,
    request_example=schemas.INVITATION_CREATE,
    response_example=schemas.INVITATION,
    conflicts=True,
    references=True,
)
def invitation_create(body: schemas.InvitationCreate):
    """Mail an invitation link (single use, expires after SUPPORTDESK_INVITATION_DAYS); the
    agent exists once they accept and choose a password. Admins only."""
    row = invitations.invite(
        actor(), email=body.email, name=body.name, role=body.role, team_ids=body.team_ids
    )
    out = schemas.Invitation.model_validate(row)
    db.session.commit()
    return out, {"Location": url_for("api.invitation_list")}


@operation(
    "POST",
    "/invitations/{invitation_id}/resend",
    tag="Invitations",
    summary="Resend an invitation",
    response=schemas.Invitation,
    response_example=schemas.INVITATION,
    path_params=INVITATION_ID,
    conflicts=True,
)
def invitation_resend(invitation_id: int):
    """Mail a new link with a new expiry; the previous link stops working. Admins only."""
    row = invitations.resend(actor(), invitation_id)
    out = schemas.Invitation.model_validate(row)
    db.session.commit()
    return out


@operation(
    "POST",
    "/invitations/{invitation_id}/revoke",
    tag="Invitations",
    summary="Revoke an invitation",
    response=schemas.Invitation,
    response_example=schemas.INVITATION,
    path_params=INVITATION_ID,
    conflicts=True,
)
def invitation_revoke(invitation_id: int):
    """Withdraw a pending invitation: its link stops working. Admins only."""
    row = invitations.revoke(actor(), invitation_id)
    out = schemas.Invitation.model_validate(row)
    db.session.commit()
    return out
