"""Every action the audit log records: the one table (name -> what the admin reads).

A service records only names listed here (`audit.service.record` refuses others), so the
filter on the audit page and the API's documented values cannot drift from what is written.
Names are `<target>.<verb>`; the target type of an entry is the part before the dot.
"""

from __future__ import annotations

ACTIONS: dict[str, str] = {
    # signing in and out
    "auth.sign_in": "Signed in",
    "auth.sign_in_failed": "Sign-in failed",
    "auth.sign_out": "Signed out",
    "auth.break_glass": "Admin signed in with a password while SSO only is on (break-glass)",
    # agents
    "agent.created": "Agent created",
    "agent.updated": "Agent name or email changed",
    "agent.role_changed": "Agent role changed",
    "agent.deactivated": "Agent deactivated",
    "agent.reactivated": "Agent reactivated",
    # passwords and invitations
    "password.changed": "Password changed",
    "password.reset_requested": "Password reset requested",
    "password.reset_forced": "Password reset forced by an admin",
    "password.reset": "Password reset by link",
    "invitation.sent": "Invitation sent",
    "invitation.resent": "Invitation sent again",
    "invitation.revoked": "Invitation revoked",
    "invitation.accepted": "Invitation accepted",
    # two-factor authentication
    "two_factor.enabled": "Two-factor authentication turned on",
    "two_factor.disabled": "Two-factor authentication turned off",
    "two_factor.recovery_codes_regenerated": "Recovery codes regenerated",
    "two_factor.recovery_code_used": "Recovery code used",
    "two_factor.reset": "Two-factor authentication reset by an admin",
    "two_factor.code_failed": "Two-factor code refused",
    "two_factor.policy_changed": "Two-factor requirement changed",
    # teams
    "team.created": "Team created",
    "team.updated": "Team changed",
    # API tokens
    "api_token.created": "API token created",
    "api_token.revoked": "API token revoked",
    # mail
    "support_address.added": "Support address added",
    "support_address.verification_sent": "Support address verification sent",
    "support_address.made_default": "Default support address changed",
    "support_address.removed": "Support address removed",
    "notification_settings.updated": "Email notification settings changed",
    "inbound_email.deleted": "Received email deleted",
    # webhooks
    "webhook.created": "Webhook endpoint created",
    "webhook.updated": "Webhook endpoint changed",
    "webhook.enabled": "Webhook endpoint enabled",
    "webhook.disabled": "Webhook endpoint disabled",
    "webhook.secret_rotated": "Webhook signing secret rotated",
    # CRM sync
    "crm.connected": "CRM connected",
    "crm.updated": "CRM connection changed",
    "crm.authorized": "Salesforce connected by signing in",
    "crm.disconnected": "CRM disconnected",
    "crm.full_sync_started": "Full CRM sync started",
    # SLA
    "sla_calendar.saved": "Business calendar saved",
    "sla_policy.saved": "SLA policy saved",
    "escalation_rule.saved": "Escalation rule saved",
    # organization
    "organization.updated": "Organization settings changed",
    # knowledge base and help center
    "kb_article.published": "Article published",
    "kb_article.unpublished": "Article taken off the help center",
    "kb_article.deleted": "Article deleted",
    "kb_category.created": "Help center category created",
    "kb_category.updated": "Help center category changed",
    "kb_category.deleted": "Help center category deleted",
    "help_center.updated": "Help center branding changed",
    "portal_settings.updated": "Customer portal and survey settings changed",
    # tickets
    "ticket.deleted": "Ticket deleted",
    # single sign-on
    "sso.updated": "Single sign-on settings changed",
    # customers' data rights (supportdesk.privacy)
    "customer.export_requested": "Customer data export requested",
    "customer.export_downloaded": "Customer data export downloaded",
    "customer.erased": "Customer data erased",
    # retention (supportdesk.privacy.retention)
    "retention.updated": "Retention policy changed",
    "retention.applied": "Retention policy applied",
    # exports (tickets and reports, as files)
    "export.requested": "Export requested",
    "export.downloaded": "Export downloaded",
    "export.expired": "Export file deleted (expired)",
    # the log itself
    "audit_log.purged": "Old audit entries purged (retention)",
}


def label(action: str) -> str:
    """What the admin reads for `action` (the name itself when it is not, or no longer, listed)."""
    return ACTIONS.get(action, action)


def target_types() -> list[str]:
    """The target types the actions name, sorted (the audit page's filter)."""
    return sorted({name.partition(".")[0] for name in ACTIONS})
