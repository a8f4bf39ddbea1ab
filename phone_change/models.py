"""The payload of a 手机号更换 application: what the person asked for, one-to-one with the envelope."""

from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from identity.constants import IdType

from .constants import REASON_MAX_LENGTH, PhotoSlot, Routing


class PhoneChangePayload(models.Model):
    """One 手机号更换 request of a registered accountant.

    Rules (enforced by `phone_change.services`, the only writer):
    - it exists only for a submission whose document and name matched a registered, active
      accountant; nothing at all is stored for any other submission;
    - `id_type`, `id_number` and `full_name` are what the person typed (equal to the account's);
    - `old_phone` is the number on record when the request was last submitted, and the number that
      was replaced once approved; `new_phone` was proved by an SMS code sent to it;
    - the three photos are documents owned by the accountant and attached to the application;
      a resubmission after a return replaces them (the old ones go back to temporary and are purged);
    - approval (`services.apply_phone_change`) writes `new_phone` onto the account.
    """

    application = models.OneToOneField(
        "reviews.Application", verbose_name=_("application"), on_delete=models.PROTECT, related_name="phone_change"
    )
    id_type = models.CharField(_("ID type"), max_length=20, choices=IdType.choices)
    id_number = models.CharField(_("ID number"), max_length=32)
    full_name = models.CharField(_("name"), max_length=50)
    old_phone = models.CharField(_("old mobile number"), max_length=11, blank=True)
    new_phone = models.CharField(_("new mobile number"), max_length=11, db_index=True)
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH)
    chosen_unit = models.ForeignKey(
        "regions.ReviewUnit",
        verbose_name=_("unit chosen by the applicant"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    routing = models.CharField(_("routed to"), max_length=10, choices=Routing.choices)
    photo_front = models.ForeignKey(
        "documents.Document", verbose_name=PhotoSlot.ID_FRONT.label, on_delete=models.PROTECT, related_name="+"
    )
    photo_back = models.ForeignKey(
        "documents.Document", verbose_name=PhotoSlot.ID_BACK.label, on_delete=models.PROTECT, related_name="+"
    )
    photo_in_hand = models.ForeignKey(
        "documents.Document", verbose_name=PhotoSlot.IN_HAND.label, on_delete=models.PROTECT, related_name="+"
    )
    submissions = models.PositiveSmallIntegerField(_("number of submissions"), default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("mobile number change")
        verbose_name_plural = _("mobile number changes")

    def __str__(self):
        return f"{self.full_name} #{self.application_id}"

    @property
    def photos(self) -> list[tuple[str, object]]:
        """(label, Document) of the three photos, in the order reviewers read them."""
        return [
            (str(PhotoSlot.ID_FRONT.label), self.photo_front),
            (str(PhotoSlot.ID_BACK.label), self.photo_back),
            (str(PhotoSlot.IN_HAND.label), self.photo_in_hand),
        ]

    @property
    def same_as_old(self) -> bool:
        return bool(self.old_phone) and self.old_phone == self.new_phone

    @cached_property
    def new_phone_holders(self) -> int:
        """How many other accountants have the new number on record (phones need not be unique)."""
        from identity.constants import UserKind
        from identity.models import User

        return (
            User.objects.filter(kind=UserKind.ACCOUNTANT, phone=self.new_phone)
            .exclude(applications__id=self.application_id)
            .count()
        )
