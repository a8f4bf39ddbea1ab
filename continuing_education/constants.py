"""Names and defaults of 继续教育 (DOMAIN.md "继续教育"; 财会〔2018〕10号, 鄂财会发〔2018〕13号).

The 1–14 items and the yearly requirement are data (`CreditItem`, `AnnualRequirement`) that
administrators edit; the values here are only what the code falls back to when no row says otherwise.
"""

from fractions import Fraction

from django.db import models
from django.utils.translation import gettext_lazy as _

KIND_CE = "continuing_education"  # the application kind registered with reviews


class CreditRule(models.TextChoices):
    """How an item turns what the person entered into credits (`rules.credits_for`)."""

    # The same credits for every record: params {"credits": 90}.
    FIXED = "fixed", _("Fixed credits")
    # Credits per day of attendance: params {"credits_per_day": 10}, optional {"max_days": 30}.
    PER_DAY = "per_day", _("Credits per day")
    # Credits by the person's role in joint work: params {"主持人": 90, "其他参与人": 60}.
    BY_ROLE = "by_role", _("Credits by role")
    # The person proposes, the reviewer settles before approving: params {"max_credits": 90}.
    REVIEWER_SETS = "reviewer_sets", _("Set by the reviewer")
    # Credits per 学时 (class hour) of a course registered by a training institution (app
    # `institutions`): params {"credits_per_hour": 3}, optional {"max_hours": 200}. Hubei: 1 学时 = 3 credits.
    PER_HOUR = "per_hour", _("Credits per class hour")


class Subject(models.TextChoices):
    """科目: the yearly requirement asks for a share of 专业科目 in the total."""

    PROFESSIONAL = "professional", _("Professional subjects")  # 专业科目
    PUBLIC = "public", _("Public subjects")  # 公需科目


# How the data file names the subjects.
SUBJECT_NAMES = {"专业科目": Subject.PROFESSIONAL, "公需科目": Subject.PUBLIC}

# The national rule (财会〔2018〕10号), used for a year no AnnualRequirement row covers:
# at least 90 credits a year, 专业科目 at least 2/3 of them.
DEFAULT_MIN_CREDITS = 90
DEFAULT_PROFESSIONAL_SHARE = Fraction(2, 3)

# Last year's items may be filed until this (month, day) of the next year; settings.CE_LATE_ENTRY_UNTIL
# overrides it, None switches late entry off.
DEFAULT_LATE_ENTRY_UNTIL = (3, 31)

# A per-day item without its own "max_days": longer meetings than this are surely a typing error.
DEFAULT_MAX_DAYS = 30
# A per-hour rule without its own "max_hours".
DEFAULT_MAX_HOURS = 200
# Proposed or settled credits and fixed item credits never exceed this (a sanity bound on data).
MAX_ITEM_CREDITS = 999

# Proof boxes of a record: the first is required. Slots "ce:1" … "ce:4" in documents.
MAX_PROOFS = 4
PROOF_SLOT_PREFIX = "ce"
