"""Names and limits of the 手机号更换 application (manual §9, DOMAIN.md "手机号更换")."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

KIND_PHONE_CHANGE = "phone_change"  # the application kind registered with reviews
KIND_LABEL = pgettext_lazy("application kind", "Mobile number change")  # 手机号更换
SLA_WORKING_DAYS = 5  # manual §9: "变更后需等待5个工作日"

REASON_MAX_LENGTH = 200

# Seconds a submission with a valid code takes at least from the match on, matched or not, so that
# the answer's timing says nothing about whether the ID is registered (SECURITY.md 6.3.8). Read with
# getattr(settings, ...) so an installation may tune it; tests set it to 0.
ANSWER_FLOOR_SETTING = "PHONE_CHANGE_ANSWER_SECONDS"
ANSWER_FLOOR_DEFAULT = 1.0

# A status lookup is shown for this long after the code was checked, then asked for again.
STATUS_RESULT_SECONDS = 10 * 60


class PhotoSlot(models.TextChoices):
    """The three photos of an application (document slots; the labels are what reviewers read)."""

    ID_FRONT = "phone_change:id_front", _("ID card, side with the photo")  # 身份证人像面
    ID_BACK = "phone_change:id_back", _("ID card, side with the national emblem")  # 身份证国徽面
    IN_HAND = "phone_change:in_hand", _("Photo of you holding the ID card")  # 手持身份证照片


# Form field name of each photo, in the order the form and the reviewer show them.
PHOTO_FIELDS = {
    "photo_front": PhotoSlot.ID_FRONT,
    "photo_back": PhotoSlot.ID_BACK,
    "photo_in_hand": PhotoSlot.IN_HAND,
}


class Routing(models.TextChoices):
    """Which unit an application went to (DOMAIN.md 属地化)."""

    RECORD = "record", _("The unit managing the approved record")
    CHOSEN = "chosen", _("The unit the applicant chose")


class Outcome(models.TextChoices):
    """What a public submission did. The person is told the same thing in every case."""

    SUBMITTED = "submitted", _("Submitted")
    RESUBMITTED = "resubmitted", _("Resubmitted after a return")
    ALREADY_PENDING = "already_pending", _("Already waiting for review: nothing changed")
    NOT_ROUTED = "not_routed", _("Not routed: the ID is not registered or the name does not match")
