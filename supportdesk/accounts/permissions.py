"""Who may do what: the single table of role requirements for every write action."""

from __future__ import annotations

from supportdesk.accounts.models import Role
from supportdesk.errors import DomainError

# action -> the weakest role allowed to do it. Reading is open to every active agent (viewer+).
REQUIRED_ROLE: dict[str, Role] = {
    "ticket.create": Role.AGENT,
    "ticket.reply": Role.AGENT,
    "ticket.note": Role.AGENT,
    "ticket.status": Role.AGENT,
    "ticket.priority": Role.AGENT,
    "ticket.assign": Role.AGENT,
    "ticket.edit": Role.AGENT,
    "ticket.merge": Role.AGENT,
    "ticket.split": Role.AGENT,
    "ticket.reopen_closed": Role.SENIOR_AGENT,
    "ticket.delete": Role.ADMIN,
    # Bulk actions on a queue; each action still needs its own permission (status, assign...).
    "ticket.bulk": Role.AGENT,
    "customer.edit": Role.AGENT,
    # Canned replies: every agent keeps personal ones; shared ones and macros are for seniors.
    "canned_reply.manage_own": Role.AGENT,
    "canned_reply.manage_shared": Role.SENIOR_AGENT,
    "macro.manage": Role.SENIOR_AGENT,
    "macro.apply": Role.AGENT,
    "team.manage": Role.SENIOR_AGENT,
    "sla.manage": Role.SENIOR_AGENT,
    "agent.manage": Role.ADMIN,
    "mail.manage": Role.ADMIN,
    "webhook.manage": Role.ADMIN,
    # The CRM connection (credentials, mapping), its sync log and full syncs.
    "crm.manage": Role.ADMIN,
    "notifications.manage": Role.ADMIN,
    "organization.manage": Role.ADMIN,
    # The audit log is read by admins only (who did what, from where); nobody writes it by hand.
    "audit_log.view": Role.ADMIN,
    # Customers' data rights (export, erasure) and retention policies: admins only.
    "customer.data_rights": Role.ADMIN,
    "retention.manage": Role.ADMIN,
    # Reports: every agent sees their own figures; leads (senior agents) and admins see every
    # team's and agent's. Exports of tickets and reports follow the same line.
    "report.view_team": Role.SENIOR_AGENT,
    # Every agent downloads and cancels the exports they asked for; admins anyone's.
    "export.manage_any": Role.ADMIN,
    # Exporting the whole customer list (addresses, companies, CRM ids) in one file is for leads
    # and admins; tickets, messages and history export for every agent, who can read them all.
    "export.customers": Role.SENIOR_AGENT,
    # Custom ticket fields: their definitions; values are ticket edits ("ticket.edit").
    "field.manage": Role.ADMIN,
    # Saved views: every agent keeps their own; sharing one with everybody is for seniors.
    "view.save": Role.VIEWER,
    "view.share": Role.SENIOR_AGENT,
    # Knowledge base: agents write, publish and restore articles; seniors run the categories,
    # delete articles and brand the help center.
    "kb.write": Role.AGENT,
    "kb.manage": Role.SENIOR_AGENT,
    # Every agent may hold personal API tokens; what a token may do is still its agent's role.
    "api_token.manage": Role.VIEWER,
    # Admins see and revoke every token of their organization (a leaked token, a departure).
    "api_token.revoke_any": Role.ADMIN,
}


class PermissionDenied(DomainError):
    """The acting agent's role does not allow this action."""

    status = 403
    code = "forbidden"

    def __init__(self, action: str, role: Role):
        self.action = action
        self.role = role
        need = REQUIRED_ROLE[action].label.lower()
        super().__init__(
            f"Your role ({role.label.lower()}) cannot do this; it needs {need} or above."
        )


def allowed(role: Role, action: str) -> bool:
    """Whether `role` may perform `action`; unknown actions are refused."""
    required = REQUIRED_ROLE.get(action)
    return required is not None and role.at_least(required)


def require(user, action: str) -> None:
    """Raise PermissionDenied unless `user` is active and its role allows `action`."""
    if not user.active or not allowed(user.role, action):
        raise PermissionDenied(action, user.role)
