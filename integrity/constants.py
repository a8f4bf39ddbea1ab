"""Names the integrity code relies on. The lists themselves (honour names, levels, penalty kinds) are data."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

KIND_HONOUR = "honour"  # 诚信录入 / 表彰奖励: the application kind registered with reviews

# The proof boxes of an honour record: at least one must hold a file.
HONOUR_PROOF_SLOTS = ("honour:1", "honour:2", "honour:3")

# No date in these records can be older than the People's Republic (a typo such as 0202 is caught).
EARLIEST_DATE = datetime.date(1949, 10, 1)

# Field lengths, shared by models, forms and the services' checks.
NAME_MAX_LENGTH = 100
BODY_MAX_LENGTH = 100
DOCUMENT_NUMBER_MAX_LENGTH = 100
BASIS_MAX_LENGTH = 300
NOTE_MAX_LENGTH = 500
REVOKE_REASON_MAX_LENGTH = 300


class OptionList(models.TextChoices):
    """The editable option lists of the honour form (DOMAIN.md 诚信)."""

    HONOUR_NAME = "honour_name", _("Honour name")  # 奖励名称
    HONOUR_LEVEL = "honour_level", _("Honour level")  # 级别


# Where each list comes from in integrity/data/option_lists.json.
OPTION_SOURCES = {
    OptionList.HONOUR_NAME: "honor_names_seed",
    OptionList.HONOUR_LEVEL: "honor_levels",
}
# Items of the honour list that stand for "another honour": the person types its name.
ASKS_FOR_NAME: dict[str, tuple[str, ...]] = {OptionList.HONOUR_NAME: ("其他表彰奖励",)}


class BanRule(models.TextChoices):
    """What a kind of penalty means for the right to do accounting work (会计法; DOMAIN.md 诚信)."""

    # Nothing follows from the penalty itself.
    NONE = "none", _("Does not bar accounting work")
    # Barred for `ban_years` years from the decision date (会计法: five years).
    YEARS = "years", _("Bars accounting work for a number of years")
    # Barred for good (criminal liability for an offence connected with accounting work).
    PERMANENT = "permanent", _("Bars accounting work for good")
