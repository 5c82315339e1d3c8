"""Account models: organizations, agents (users) with roles, and teams."""

from __future__ import annotations

import datetime as dt
import enum
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supportdesk.db import UTCDateTime, enum_column, utcnow
from supportdesk.extensions import db
from supportdesk.localtime import DEFAULT_ZONE


class Role(enum.Enum):
    """Agent roles, strongest first: admin > senior_agent > agent > viewer."""

    ADMIN = "admin"
    SENIOR_AGENT = "senior_agent"
    AGENT = "agent"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


class AssignmentStrategy(enum.Enum):
    """How a team hands out new tickets."""

    MANUAL = "manual"
    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class TwoFactorPolicy(enum.Enum):
    """Who of an organization must sign in with a second factor (supportdesk.twofactor)."""

    NOBODY = "nobody"
    ADMINS = "admins"
    EVERYONE = "everyone"

    @property
    def label(self) -> str:
        return _POLICY_LABELS[self]

    def covers(self, role: Role) -> bool:
        """Whether an agent of `role` must use a second factor under this policy."""
        return self is TwoFactorPolicy.EVERYONE or (
            self is TwoFactorPolicy.ADMINS and role is Role.ADMIN
        )


_POLICY_LABELS = {
    TwoFactorPolicy.NOBODY: "Optional for everyone",
    TwoFactorPolicy.ADMINS: "Required for admins",
    TwoFactorPolicy.EVERYONE: "Required for every agent",
}

_ROLE_RANK = {Role.VIEWER: 0, Role.AGENT: 1, Role.SENIOR_AGENT: 2, Role.ADMIN: 3}


class Organization(db.Model):
    """A tenant: every domain row belongs to exactly one organization."""

    __tablename__ = "organizations"
    __table_args__ = (sa.Index("ix_organizations_help_host", "help_host", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    # Last ticket number handed out; incremented under a row lock so numbers never repeat.
    last_ticket_number: Mapped[int] = mapped_column(default=0, server_default="0")
    # IANA zone of the times in emails, and in the console for agents who chose none.
    time_zone: Mapped[str] = mapped_column(
        sa.String(64), default=DEFAULT_ZONE, server_default=DEFAULT_ZONE
    )
    # Days the audit log keeps its entries (supportdesk.audit: the periodic purge).
    audit_retention_days: Mapped[int] = mapped_column(default=365, server_default="365")
    # Agents record the minutes spent on each reply and note (admin → Organization).
    time_tracking: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Who must sign in with a second factor (admin → Organization; supportdesk.twofactor).
    two_factor_policy: Mapped[TwoFactorPolicy] = mapped_column(
        enum_column(TwoFactorPolicy, "two_factor_policy"),
        default=TwoFactorPolicy.NOBODY,
        server_default=TwoFactorPolicy.NOBODY.value,
    )
    # The help center's own host name (help.example.com; supportdesk.kb.hosts), lowercase; None:
    # only at /help/<slug>/ on the app's host.
    help_host: Mapped[str | None] = mapped_column(sa.String(253))
    # Bumped in the transaction that changes a row cached per organization (accounts.orgcache).
    cache_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Organization {self.slug}>"


team_members = sa.Table(
    "team_members",
    db.metadata,
    sa.Column("team_id", sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_team_members_user_id", "user_id"),
)


class User(db.Model):
    """An agent who signs in to the console."""

    __tablename__ = "users"
    __table_args__ = (
        sa.UniqueConstraint("email", name="uq_users_email"),
        sa.Index("ix_users_organization_id_name", "organization_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    # Agents sign in by email, so it is unique across the installation (stored lower-cased).
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), default=Role.AGENT)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Away agents keep their tickets but get no new ones from automatic assignment.
    away: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Retired: sign-in sessions are AgentSession records now, and nothing reads this. It stays
    # (and is filled) so the previous release keeps working during a rolling deploy; a later
    # release drops it in a migration that declares CONTRACT.
    session_token: Mapped[str] = mapped_column(
        sa.String(64), default=lambda: secrets.token_urlsafe(24)
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # IANA zone the console shows times in; None follows the organization's.
    time_zone: Mapped[str | None] = mapped_column(sa.String(64))
    # The console's language for this agent, and of mail to them (supportdesk.i18n); None: English.
    language: Mapped[str | None] = mapped_column(sa.String(16))

    # Loaded on first use; every agent on a page shares one organization, so it costs one query.
    organization: Mapped[Organization] = relationship()
    teams: Mapped[list[Team]] = relationship(
        secondary=team_members, back_populates="members", order_by="Team.name"
    )

    # The sign-in session (sessions.models.AgentSession) this instance was loaded or signed in
    # with, in a web request. Not a column.
    web_session = None

    # Flask-Login protocol -------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The key of this agent's sign-in session: what the session and remember cookies carry.

        Flask-Login's alternative-id pattern: the cookies name a revocable session, not the agent,
        so revoking the session refuses both cookies.
        """
        if self.web_session is None or self.web_session.key is None:
            raise LookupError("This agent has no sign-in session in this request.")
        return self.web_session.key

    @property
    def shown_time_zone(self) -> str:
        """The zone of every time this agent reads in the console."""
        return self.time_zone or self.organization.time_zone

    def can(self, action: str) -> bool:
        """Whether this agent's role allows `action` (see accounts.permissions)."""
        from supportdesk.accounts.permissions import allowed

        return self.active and allowed(self.role, action)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class Team(db.Model):
    """A group of agents that tickets can be routed to."""

    __tablename__ = "teams"
    __table_args__ = (sa.UniqueConstraint("organization_id", "name", name="uq_teams_org_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    # How new tickets of this team find an agent (see supportdesk.assignment).
    assignment_strategy: Mapped[AssignmentStrategy] = mapped_column(
        enum_column(AssignmentStrategy, "assignment_strategy"),
        default=AssignmentStrategy.MANUAL,
        server_default=AssignmentStrategy.MANUAL.value,
    )
    # Round robin: the id of the last agent picked; the next pick is the first member after it.
    round_robin_cursor: Mapped[int | None] = mapped_column()
    # The same for critical tickets, which take turns among the senior members on their own, so
    # they never move the ordinary rotation (see supportdesk.assignment).
    critical_cursor: Mapped[int | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(
        secondary=team_members, back_populates="teams", order_by="User.name"
    )

    def __repr__(self) -> str:
        return f"<Team {self.name}>"
