"""The 信息采集 dossier: one version of a person's data, the collection payload, the approved record.

A `Dossier` is one version of what a person declares (personal data, 学历 rows, 专业技术资格, 会计岗位,
proofs). An application edits its own dossier while the application is a draft or returned; once
approved the dossier is never edited again and becomes the person's current record (`PersonRecord`),
with a `RecordVersion` keeping a snapshot of every approved version. A later 信息变更 starts from a
copy of the current dossier (`services.copy_dossier`), edits it with the same section forms and is
compared with `snapshot.diff_snapshots`.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.options import OptionItemBase
from identity.constants import IdType

from .constants import OptionList, Sex, Step
from .options import OPTION_LISTS


class OptionItem(OptionItemBase):
    """One item of an option list (民族, 学历, 单位性质, …), edited by administrators.

    `value` is what forms store and must never change once used; `label` is what people see and
    may be corrected. Inactive items are no longer offered nor accepted, but stay readable in old
    records. Fields, `__str__` and dropping the cached lists on save/delete: `core.options`.
    """

    list_choices = OptionList.choices
    option_lists = OPTION_LISTS

    class Meta:
        ordering = ["list_key", "sort_order", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [models.UniqueConstraint(fields=["list_key", "value"], name="dossier_option_unique_value")]


class Dossier(models.Model):
    """One version of a person's 信息采集 data.

    Rules (enforced by the section forms in `dossier.forms`, re-checked at submission):
    证件类型/号码 and 姓名 come from registration and are not edited here (manual §4.3); 性别 and
    出生日期 are derived from a resident ID; 在岗 = 是 needs 工作单位, 统一社会信用代码 (checksum),
    单位性质, 会计岗位 and 从事会计工作起始时间, 在岗 = 否 keeps none of them; 专业技术资格类型 "无" keeps
    no level, date or certificate. The review unit (行政区划) is always chosen.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="dossiers"
    )

    # 个人信息
    full_name = models.CharField(_("name"), max_length=50)
    id_type = models.CharField(_("ID type"), max_length=20, choices=IdType.choices)
    id_number = models.CharField(_("ID number"), max_length=32)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnic group"), max_length=100, blank=True)
    political_status = models.CharField(_("political status"), max_length=100, blank=True)
    address = models.CharField(_("contact address"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    photo = models.ForeignKey(
        "documents.Document",
        verbose_name=_("photo"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # 专业技术资格
    qualification_type = models.CharField(_("qualification type"), max_length=100, blank=True)
    qualification_level = models.CharField(_("qualification level"), max_length=100, blank=True)
    qualification_obtained_by = models.CharField(_("obtained by"), max_length=100, blank=True)
    qualification_date = models.DateField(_("date obtained"), null=True, blank=True)
    qualification_certificate_no = models.CharField(_("certificate or approval number"), max_length=50, blank=True)
    accounting_title = models.CharField(_("accounting professional title"), max_length=100, blank=True)
    is_cpa = models.BooleanField(_("certified public accountant"), null=True, blank=True)  # 注册会计师
    is_valuer = models.BooleanField(_("certified asset valuer"), null=True, blank=True)  # 资产评估师
    is_tax_adviser = models.BooleanField(_("certified tax adviser"), null=True, blank=True)  # 税务师
    high_end_talent = models.CharField(_("high-end accounting talent"), max_length=100, blank=True)
    admin_post = models.CharField(_("accounting administrative post"), max_length=100, blank=True)
    abacus_level = models.CharField(_("abacus level"), max_length=100, blank=True)

    # 会计岗位信息
    on_duty = models.BooleanField(_("currently in an accounting post"), null=True, blank=True)  # 是否在岗
    employer_name = models.CharField(_("employer"), max_length=100, blank=True)
    employer_uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    unit_nature = models.CharField(_("nature of the employer"), max_length=100, blank=True)
    employer_address = models.CharField(_("employer address"), max_length=200, blank=True)
    accounting_post = models.CharField(_("accounting post"), max_length=100, blank=True)
    accounting_since = models.DateField(_("in accounting work since"), null=True, blank=True)
    unit = models.ForeignKey(
        "regions.ReviewUnit",
        verbose_name=_("administrative region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            # 人员查询 by employer (统一社会信用代码): the dossiers naming it, then their owners.
            models.Index(
                fields=["employer_uscc", "owner"],
                name="dossier_employer_uscc_idx",
                condition=~models.Q(employer_uscc=""),
            ),
        ]

    def __str__(self):
        return f"{self.full_name} #{self.pk}"


def _row_token() -> str:
    return secrets.token_hex(4)


class EducationRecord(models.Model):
    """One 学历 row. "无学历" is a row of its own that needs nothing else (manual §4.4).

    `token` names the row's proof slots (diploma:<token>, degree:<token>); it survives edits of the
    row and copies of the dossier, so a proof stays with its row.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="educations")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    token = models.CharField(max_length=8, default=_row_token, editable=False)
    level = models.CharField(_("education level"), max_length=100)
    study_mode = models.CharField(_("mode of study"), max_length=100, blank=True)
    degree = models.CharField(_("degree"), max_length=100, blank=True)
    school = models.CharField(_("school"), max_length=100, blank=True)
    major = models.CharField(_("major"), max_length=100, blank=True)
    enrolled_on = models.DateField(_("enrolment date"), null=True, blank=True)
    graduated_on = models.DateField(_("graduation date"), null=True, blank=True)
    certificate_no = models.CharField(_("diploma number"), max_length=50, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("education record")
        verbose_name_plural = _("education records")

    def __str__(self):
        return f"{self.level} {self.school}".strip()


class DossierProof(models.Model):
    """The document handed in for one proof slot of a dossier (manual §4.7)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="proofs")
    slot = models.CharField(_("slot"), max_length=40)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("proof")
        verbose_name_plural = _("proofs")
        constraints = [models.UniqueConstraint(fields=["dossier", "slot"], name="dossier_proof_unique_slot")]

    def __str__(self):
        return self.slot


class DossierPayload(models.Model):
    """What every dossier-editing application keeps besides its dossier: where the person was in
    the step-by-step form, and what they typed into a step they left with 上一步 without finishing it.
    """

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="+")
    current_step = models.CharField(_("current step"), max_length=20, choices=Step.choices, default=Step.PERSONAL)
    # The furthest step reached: the step list links every step up to it.
    furthest_step = models.CharField(_("furthest step"), max_length=20, choices=Step.choices, default=Step.PERSONAL)
    # {step: {field name: [values]}}: input kept verbatim (not yet valid) until the step is saved.
    unsaved_input = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class CollectionPayload(DossierPayload):
    """The payload of a 信息采集 application (kind "collection")."""

    application = models.OneToOneField(
        "reviews.Application", on_delete=models.CASCADE, related_name="collection_payload"
    )

    class Meta:
        verbose_name = _("collection payload")
        verbose_name_plural = _("collection payloads")

    def __str__(self):
        return f"collection #{self.application_id}"


class PersonRecord(models.Model):
    """The approved record of a person: what 信息查询 shows and what 信息变更 compares against.

    `current` is the dossier of the last approved application; it is never edited again.
    """

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="dossier_record"
    )
    current = models.ForeignKey(Dossier, verbose_name=_("current version"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "regions.ReviewUnit", verbose_name=_("managing unit"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    approved_at = models.DateTimeField(_("approved at"))

    class Meta:
        verbose_name = _("approved record")
        verbose_name_plural = _("approved records")

    def __str__(self):
        return f"{self.current.full_name} v{self.version}"


class RecordVersion(models.Model):
    """Every approved version of a person's record, with a snapshot that never changes."""

    record = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey("reviews.Application", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "regions.ReviewUnit", verbose_name=_("managing unit"), on_delete=models.PROTECT, related_name="+"
    )
    snapshot = models.JSONField(_("snapshot"))
    approved_at = models.DateTimeField(_("approved at"))

    class Meta:
        ordering = ["record", "number"]
        verbose_name = _("record version")
        verbose_name_plural = _("record versions")
        constraints = [models.UniqueConstraint(fields=["record", "number"], name="dossier_record_version_unique")]

    def __str__(self):
        return f"v{self.number}"


class ChangePayload(DossierPayload):
    """The payload of a 信息变更 application (kind "change", manual §6).

    `dossier` is a copy of the approved dossier (`services.copy_dossier`) that the person edits with
    the section forms; `base` is the approved version it was copied from. Rules (enforced by
    `dossier.change_services`): the approved record is untouched while the change is open; a
    change is submitted only when its data differs from `base` and every proof the differences
    require is a new file; approval makes `dossier` the record's current version only while `base`
    is still the current one.
    """

    application = models.OneToOneField("reviews.Application", on_delete=models.CASCADE, related_name="change_payload")
    base = models.ForeignKey(
        RecordVersion, verbose_name=_("approved version changed"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("change payload")
        verbose_name_plural = _("change payloads")

    def __str__(self):
        return f"change #{self.application_id}"
