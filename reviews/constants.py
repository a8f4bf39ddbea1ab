"""States of an application and the guards built from them (ARCHITECTURE.md, the state machine).

draft ──submit──▶ pending ──approve──▶ approved        (final; the kind's apply() runs)
  ▲                 │
  └──── edit ◀── returned ◀──return(reason)──┘
draft / pending / returned ──withdraw──▶ withdrawn      (final; "删除" by the owner)
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from identity.constants import StaffRole


class Status(models.TextChoices):
    # Being filled in by the accountant; no reviewer ever sees it.
    DRAFT = "draft", _("Draft")
    # Handed in and waiting in the review unit's queue; the SLA clock runs.
    PENDING = "pending", _("Pending review")
    # Sent back with a reason; the accountant edits and resubmits; the SLA clock stops.
    RETURNED = "returned", _("Returned")
    # Final: the payload has been applied to the person's record.
    APPROVED = "approved", _("Approved")
    # Final: withdrawn (deleted) by its owner before a decision.
    WITHDRAWN = "withdrawn", _("Withdrawn")


# An application in one of these states blocks a second one of the same kind for the same person.
OPEN_STATUSES = (Status.DRAFT, Status.PENDING, Status.RETURNED)
# The accountant may change the payload (and the review unit) only in these states.
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
# States a reviewer can see: everything that was ever handed in.
REVIEWER_STATUSES = (Status.PENDING, Status.RETURNED, Status.APPROVED, Status.WITHDRAWN)
FINAL_STATUSES = (Status.APPROVED, Status.WITHDRAWN)

# Staff roles that take decisions. Administrators of the system manage data; they do not review.
DECIDING_ROLES = (StaffRole.REVIEWER, StaffRole.UNIT_ADMIN)


class EventType(models.TextChoices):
    """What a review event records; one per transition."""

    CREATED = "created", _("Created")
    SUBMITTED = "submitted", _("Submitted")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    UNIT_CHANGED = "unit_changed", _("Review unit changed")


# Longest return reason a reviewer may write (it travels in an SMS too).
RETURN_REASON_MAX_LENGTH = 300
INBOX_PAGE_SIZE = 20
# Most applications one bulk approval may carry (a page of the inbox holds INBOX_PAGE_SIZE).
BULK_APPROVE_MAX = 100
