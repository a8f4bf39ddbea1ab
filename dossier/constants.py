"""Names the dossier code relies on. The option lists themselves are data (OptionItem)."""

from typing import NotRequired, TypedDict

from django.db import models
from django.utils.translation import gettext_lazy as _

KIND_COLLECTION = "collection"  # 信息采集, the application kind registered with reviews
KIND_CHANGE = "change"  # 信息变更 (manual §6): a change of the approved record, reviewed like a collection


class OptionList(models.TextChoices):
    """The editable option lists of the 信息采集 forms (DOMAIN.md "信息采集 fields and option lists")."""

    ETHNICITY = "ethnicity", _("Ethnic group")  # 民族
    POLITICAL_STATUS = "political_status", _("Political status")  # 政治面貌
    EDUCATION_LEVEL = "education_level", _("Education level")  # 学历
    DEGREE = "degree", _("Degree")  # 学位
    STUDY_MODE = "study_mode", _("Mode of study")  # 培养方式
    QUALIFICATION_TYPE = "qualification_type", _("Qualification type")  # 专业技术资格类型
    QUALIFICATION_LEVEL = "qualification_level", _("Qualification level")  # 专业技术资格级别
    QUALIFICATION_OBTAINED_BY = "qualification_obtained_by", _("Qualification obtained by")  # 取得方式
    ACCOUNTING_TITLE = "accounting_title", _("Accounting professional title")  # 会计专业技术职务
    ADMIN_POST = "admin_post", _("Accounting administrative post")  # 会计行政职务
    ABACUS_LEVEL = "abacus_level", _("Abacus level")  # 珠算等级
    UNIT_NATURE = "unit_nature", _("Nature of the employer")  # 单位性质
    ACCOUNTING_POST = "accounting_post", _("Accounting post")  # 会计岗位
    HIGH_END_TALENT = "high_end_talent", _("High-end accounting talent")  # 高端人才


# Where each list comes from in dossier/data/option_lists.json: (key, sub-key or None, extra rules).
# "prepend" adds items the manual asks for ("如果无相关信息，请选择'无'"), "exclude" drops items that
# make no sense in this form (an employer's nature cannot be 无 for someone in post).
class OptionSource(TypedDict):
    key: str
    sub: NotRequired[str]
    prepend: NotRequired[list[str]]
    exclude: NotRequired[list[str]]


OPTION_SOURCES: dict[OptionList, OptionSource] = {
    OptionList.ETHNICITY: {"key": "ethnicity_gb3304"},
    OptionList.POLITICAL_STATUS: {"key": "political_status_legacy"},
    OptionList.EDUCATION_LEVEL: {"key": "education_level"},
    OptionList.DEGREE: {"key": "degree_legacy"},
    OptionList.STUDY_MODE: {"key": "study_mode"},
    OptionList.QUALIFICATION_TYPE: {"key": "qualification_type"},
    OptionList.QUALIFICATION_LEVEL: {"key": "qualification_level"},
    OptionList.QUALIFICATION_OBTAINED_BY: {"key": "qualification_obtained_by"},
    OptionList.ACCOUNTING_TITLE: {"key": "accounting_title"},
    OptionList.ADMIN_POST: {"key": "accounting_admin_post", "sub": "recommended"},
    OptionList.ABACUS_LEVEL: {"key": "abacus_level"},
    OptionList.UNIT_NATURE: {"key": "unit_economic_type_legacy", "exclude": ["无"]},
    OptionList.ACCOUNTING_POST: {"key": "accounting_post_legal"},
    OptionList.HIGH_END_TALENT: {"key": "high_end_talent_type", "prepend": ["无"]},
}

# Values the rules test for. They are items of the lists above; renaming one in the admin changes
# its label only, never its value.
NONE = "无"  # 无: no qualification / no level / no post / no abacus level / not a high-end talent
NO_EDUCATION = "无学历"
NO_DEGREE = "无学位"
LEVELS_WITHOUT_MAJOR = ("高中", "初中及以下")


class Sex(models.TextChoices):
    MALE = "male", _("Male")  # 男
    FEMALE = "female", _("Female")  # 女


class Step(models.TextChoices):
    """The steps of the 信息采集 form, in order (manual §4.3–§4.9)."""

    PERSONAL = "personal", _("Personal information")  # 个人信息
    EDUCATION = "education", _("Education")  # 学历信息
    QUALIFICATION = "qualification", _("Professional qualification")  # 专业技术资格
    POST = "post", _("Accounting post information")  # 会计岗位信息
    PROOFS = "proofs", _("Upload proofs")  # 上传证明材料
    PREVIEW = "preview", _("Preview before submitting")  # 提交前预览


STEPS = list(Step)
# The steps that hold data (the preview shows them, with a "修改" link each).
DATA_STEPS = (Step.PERSONAL, Step.EDUCATION, Step.QUALIFICATION, Step.POST)
