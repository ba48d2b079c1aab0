"""SQLAlchemy models: one module per area; import them from here."""

from .attachments import Attachment
from .audit import AuditEvent
from .base import Base
from .deadlines import CalendarFeed, Deadline
from .incidents import Incident
from .mail import OutboxEmail
from .operations import SchedulerHeartbeat
from .partners import (
    Partner,
    PartnerActivity,
    PartnerChange,
    PartnerContact,
    PartnerDocument,
    PartnerInvitation,
)
from .people import GRANTABLE_ROLES, PROCESS_OWNER, ROLES, Membership, Region, User
from .processes import DefinitionDraft, DueTimer, HumanTask, ProcessDefinition, ProcessInstance, TaskReminder
from .regioplan import Activity, BudgetLine, BudgetMutation, ProgrammeLine, ReportItem
from .sessions import AuthSession, PasswordLink

__all__ = [
    "GRANTABLE_ROLES",
    "PROCESS_OWNER",
    "ROLES",
    "Activity",
    "Attachment",
    "AuditEvent",
    "AuthSession",
    "Base",
    "BudgetLine",
    "BudgetMutation",
    "CalendarFeed",
    "Deadline",
    "DefinitionDraft",
    "DueTimer",
    "HumanTask",
    "Incident",
    "Membership",
    "OutboxEmail",
    "Partner",
    "PartnerActivity",
    "PartnerChange",
    "PartnerContact",
    "PartnerDocument",
    "PartnerInvitation",
    "PasswordLink",
    "ProcessDefinition",
    "ProcessInstance",
    "ProgrammeLine",
    "Region",
    "ReportItem",
    "SchedulerHeartbeat",
    "TaskReminder",
    "User",
]
