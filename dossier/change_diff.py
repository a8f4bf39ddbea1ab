"""What a 信息变更 changes, shown in the person's words, and which proofs the changes require
(manual §6.2–§6.3).

Everything here works on snapshots (`dossier.snapshot.dossier_snapshot`): the approved version's
stored snapshot on one side, a fresh snapshot of the edited copy on the other. No database work
except the (cached) option lists for labels.

Proof rules (manual §6.3 "根据对应的变更项，系统会自动计算对应的证明材料项"): a proof box of the
edited dossier is required when one of the items it proves changed —
- a new 学历 row, or a change of its level, mode, school, major, dates or number → its diploma;
  a new row with a degree, or a change of its degree, school or major → its degree certificate;
- a change of the 专业技术资格 (type, level, way, date, number) → the qualification certificate;
  注册会计师 / 资产评估师 / 税务师 turned to 是, a new 高端人才 or 珠算等级 → that certificate;
- 在岗 turned to 是, or a change of 工作单位, 统一社会信用代码, 会计岗位, 从事会计工作起始时间 or of
  the 行政区划 while in post → proof of employment (the 从事会计工作说明 template is offered there).
Name and ID come from registration and never change here (a change of them is not a 信息变更).
A box that only exists for the old data (a removed row, 在岗 turned to 否) requires nothing.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from identity.constants import IdType

from .constants import OptionList, Sex, Step
from .models import Dossier
from .options import label_for
from .proofs import SLOT_EMPLOYMENT, ProofSlot, proof_slots
from .snapshot import EDUCATION_FIELDS, SCALAR_FIELDS, Change, diff_snapshots

# The data sections, in the order of the form (the "proofs" part of a snapshot is not data).
DATA_SECTIONS = (Step.PERSONAL, Step.EDUCATION, Step.QUALIFICATION, Step.POST)
# Fixed at registration or read from the ID number (manual §4.3): shown, never edited here.
FIXED_FIELDS = ("full_name", "id_type", "id_number", "sex", "birth_date")

OPTION_FIELDS = {
    "ethnicity": OptionList.ETHNICITY,
    "political_status": OptionList.POLITICAL_STATUS,
    "qualification_type": OptionList.QUALIFICATION_TYPE,
    "qualification_level": OptionList.QUALIFICATION_LEVEL,
    "qualification_obtained_by": OptionList.QUALIFICATION_OBTAINED_BY,
    "accounting_title": OptionList.ACCOUNTING_TITLE,
    "high_end_talent": OptionList.HIGH_END_TALENT,
    "admin_post": OptionList.ADMIN_POST,
    "abacus_level": OptionList.ABACUS_LEVEL,
    "unit_nature": OptionList.UNIT_NATURE,
    "accounting_post": OptionList.ACCOUNTING_POST,
}
EDUCATION_OPTION_FIELDS = {
    "level": OptionList.EDUCATION_LEVEL,
    "study_mode": OptionList.STUDY_MODE,
    "degree": OptionList.DEGREE,
}

# --------------------------------------------------------------------------- proof rules

DIPLOMA_FIELDS = ("level", "study_mode", "school", "major", "enrolled_on", "graduated_on", "certificate_no")
DEGREE_FIELDS = ("degree", "school", "major")
QUALIFICATION_PROOFS = {
    "qualification_type": "qualification",
    "qualification_level": "qualification",
    "qualification_obtained_by": "qualification",
    "qualification_date": "qualification",
    "qualification_certificate_no": "qualification",
    "is_cpa": "cpa",
    "is_valuer": "valuer",
    "is_tax_adviser": "tax_adviser",
    "high_end_talent": "talent",
    "abacus_level": "abacus",
}
EMPLOYMENT_FIELDS = ("on_duty", "employer_name", "employer_uscc", "accounting_post", "accounting_since", "unit")


def _comparable(snapshot: dict) -> dict:
    """The snapshot with the review unit reduced to its code: renaming a unit is not a change."""
    post = dict(snapshot.get(str(Step.POST), {}))
    unit = post.get("unit")
    post["unit"] = unit.get("code") if isinstance(unit, dict) else unit
    return {**snapshot, str(Step.POST): post}


def data_changes(old: dict, new: dict) -> list[Change]:
    """The differences of data between two snapshots (proof files left out), in form order."""
    return [c for c in diff_snapshots(_comparable(old), _comparable(new)) if c.section != "proofs"]


def required_proof_keys(changes: list[Change]) -> set[str]:
    """The proof slots the changes call for (some may not exist in the new data: see required_proofs)."""
    keys = set()
    for change in changes:
        if change.section == str(Step.EDUCATION):
            token, _sep, name = change.field.partition(".")
            if change.new is None:  # a removed row proves nothing
                continue
            if not name or name in DIPLOMA_FIELDS:
                keys.add(f"diploma:{token}")
            if not name or name in DEGREE_FIELDS:
                keys.add(f"degree:{token}")
        elif change.section == str(Step.QUALIFICATION) and change.field in QUALIFICATION_PROOFS:
            keys.add(QUALIFICATION_PROOFS[change.field])
        elif change.section == str(Step.POST) and change.field in EMPLOYMENT_FIELDS:
            keys.add(SLOT_EMPLOYMENT)
    return keys


def required_proofs(changes: list[Change], dossier: Dossier) -> list[ProofSlot]:
    """The proof boxes of the edited dossier that the changes require, in checklist order."""
    keys = required_proof_keys(changes)
    return [slot for slot in proof_slots(dossier) if slot.key in keys]


# --------------------------------------------------------------------------- words for people

# Shown for the photo in lists of changes (the pages show the pictures themselves).
PREVIOUS_PHOTO = gettext_lazy("previous photo")
NEW_PHOTO = gettext_lazy("new photo")


# The labels the dossier pages use (`_dossier.html`), so a change reads like the record.
FIELD_LABELS = {
    "full_name": gettext_lazy("Name"),
    "id_type": gettext_lazy("ID type"),
    "id_number": gettext_lazy("ID number"),
    "sex": gettext_lazy("Sex"),
    "birth_date": gettext_lazy("Date of birth"),
    "ethnicity": gettext_lazy("Ethnic group"),
    "political_status": gettext_lazy("Political status"),
    "address": gettext_lazy("Contact address"),
    "email": gettext_lazy("Email"),
    "photo": gettext_lazy("Photo"),
    "qualification_type": gettext_lazy("Qualification type"),
    "qualification_level": gettext_lazy("Qualification level"),
    "qualification_obtained_by": gettext_lazy("Obtained by"),
    "qualification_date": gettext_lazy("Date obtained"),
    "qualification_certificate_no": gettext_lazy("Certificate or approval number"),
    "accounting_title": gettext_lazy("Accounting professional title"),
    "is_cpa": gettext_lazy("Certified public accountant"),
    "is_valuer": gettext_lazy("Certified asset valuer"),
    "is_tax_adviser": gettext_lazy("Certified tax adviser"),
    "high_end_talent": gettext_lazy("High-end accounting talent"),
    "admin_post": gettext_lazy("Accounting administrative post"),
    "abacus_level": gettext_lazy("Abacus level"),
    "on_duty": gettext_lazy("Currently in an accounting post"),
    "employer_name": gettext_lazy("Employer"),
    "employer_uscc": gettext_lazy("Unified social credit code"),
    "unit_nature": gettext_lazy("Nature of the employer"),
    "employer_address": gettext_lazy("Employer address"),
    "accounting_post": gettext_lazy("Accounting post"),
    "accounting_since": gettext_lazy("In accounting work since"),
    "unit": gettext_lazy("Administrative region"),
}
EDUCATION_LABELS = {
    "level": gettext_lazy("Education level"),
    "study_mode": gettext_lazy("Mode of study"),
    "degree": gettext_lazy("Degree"),
    "school": gettext_lazy("School"),
    "major": gettext_lazy("Major"),
    "enrolled_on": gettext_lazy("Enrolment date"),
    "graduated_on": gettext_lazy("Graduation date"),
    "certificate_no": gettext_lazy("Diploma number"),
}


def field_label(name: str) -> str:
    return str(FIELD_LABELS[name])


def education_field_label(name: str) -> str:
    return str(EDUCATION_LABELS[name])


def display_value(name: str, value, *, options: dict | None = None) -> str:
    """A snapshot value as the pages show it ("—" for nothing)."""
    options = OPTION_FIELDS if options is None else options
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "unit":
        return value.get("name", "") if isinstance(value, dict) else str(value)
    if name == "sex":
        return str(Sex(value).label) if value in Sex.values else value
    if name == "id_type":
        return str(IdType(value).label) if value in IdType.values else value
    if name in options:
        return label_for(options[name], value)
    return str(value)


def _education_value(name: str, value) -> str:
    return display_value(name, value, options=EDUCATION_OPTION_FIELDS)


def education_summary(row: dict | None) -> str:
    """One 学历 row in a few words: "大学本科 · 武汉大学 · 会计学"."""
    if not row:
        return "—"
    parts = [_education_value("level", row.get("level"))]
    parts += [row[name] for name in ("school", "major") if row.get(name)]
    return " · ".join(parts)


@dataclass(frozen=True)
class FieldRow:
    """One item side by side: its label, the approved value and the new one."""

    name: str
    label: str
    old: str
    new: str
    changed: bool
    old_raw: object = None  # the photo's document id (the page shows the picture)
    new_raw: object = None
    is_photo: bool = False


@dataclass(frozen=True)
class EducationPair:
    """One 学历 row before and after: status "added", "removed", "changed" or "same"."""

    status: str
    title: str
    rows: list[FieldRow]


@dataclass
class SectionComparison:
    step: Step
    label: str
    rows: list[FieldRow] = field(default_factory=list)
    educations: list[EducationPair] = field(default_factory=list)
    changed: bool = False


def _scalar_rows(step: Step, old: dict, new: dict) -> list[FieldRow]:
    before, after = _comparable(old).get(str(step), {}), _comparable(new).get(str(step), {})
    raw_before, raw_after = old.get(str(step), {}), new.get(str(step), {})
    rows = []
    for name in SCALAR_FIELDS[step]:
        changed = before.get(name) != after.get(name)
        if name == "photo":
            rows.append(
                FieldRow(
                    name,
                    field_label(name),
                    "",
                    "",
                    changed,
                    old_raw=raw_before.get(name),
                    new_raw=raw_after.get(name),
                    is_photo=True,
                )
            )
            continue
        rows.append(
            FieldRow(
                name,
                field_label(name),
                display_value(name, raw_before.get(name)),
                display_value(name, raw_after.get(name)),
                changed,
            )
        )
    return rows


def _education_pairs(old: dict, new: dict) -> list[EducationPair]:
    before = {row["token"]: row for row in old.get(str(Step.EDUCATION), [])}
    after_rows = new.get(str(Step.EDUCATION), [])
    after = {row["token"]: row for row in after_rows}
    pairs = []
    for index, row in enumerate(after_rows, start=1):
        previous = before.get(row["token"])
        cells = []
        for name in EDUCATION_FIELDS:
            old_value = previous.get(name) if previous else None
            changed = previous is None or old_value != row.get(name)
            cells.append(
                FieldRow(
                    name,
                    education_field_label(name),
                    _education_value(name, old_value) if previous else "—",
                    _education_value(name, row.get(name)),
                    changed,
                )
            )
        if previous is None:
            status = "added"
        else:
            status = "changed" if any(c.changed for c in cells) else "same"
        title = _("Education %(n)s: %(row)s") % {"n": index, "row": education_summary(row)}
        pairs.append(EducationPair(status, title, cells))
    for token, row in before.items():
        if token in after:
            continue
        cells = [
            FieldRow(name, education_field_label(name), _education_value(name, row.get(name)), "—", True)
            for name in EDUCATION_FIELDS
        ]
        pairs.append(EducationPair("removed", _("Removed: %(row)s") % {"row": education_summary(row)}, cells))
    return pairs


def compare(old: dict, new: dict) -> list[SectionComparison]:
    """Every data section side by side, approved (`old`) against edited (`new`), changes marked."""
    sections = []
    for step in DATA_SECTIONS:
        section = SectionComparison(step=step, label=str(step.label))
        if step == Step.EDUCATION:
            section.educations = _education_pairs(old, new)
            section.changed = any(pair.status != "same" for pair in section.educations)
        else:
            section.rows = _scalar_rows(step, old, new)
            section.changed = any(row.changed for row in section.rows)
        sections.append(section)
    return sections


@dataclass(frozen=True)
class ChangeLine:
    """One change in a list ("工作单位: 甲公司 → 乙公司")."""

    section: str
    label: str
    old: str
    new: str


def describe(old: dict, new: dict, changes: list[Change] | None = None) -> list[ChangeLine]:
    """What changed from snapshot `old` to `new`, as lines for people, in form order."""
    changes = data_changes(old, new) if changes is None else changes
    positions = {row["token"]: index for index, row in enumerate(new.get(str(Step.EDUCATION), []), start=1)}
    lines = []
    for change in changes:
        section = str(Step(change.section).label)
        if change.section != str(Step.EDUCATION):
            if change.field == "photo":
                lines.append(ChangeLine(section, field_label("photo"), str(PREVIOUS_PHOTO), str(NEW_PHOTO)))
                continue
            old_value, new_value = change.old, change.new
            if change.field == "unit":  # compared by code; shown by the names the snapshots keep
                old_value = old.get(change.section, {}).get("unit")
                new_value = new.get(change.section, {}).get("unit")
            lines.append(
                ChangeLine(
                    section,
                    field_label(change.field),
                    display_value(change.field, old_value),
                    display_value(change.field, new_value),
                )
            )
            continue
        token, _sep, name = change.field.partition(".")
        if not name:
            if change.old is None:
                lines.append(ChangeLine(section, _("Education added"), "—", education_summary(change.new)))
            else:
                lines.append(ChangeLine(section, _("Education removed"), education_summary(change.old), "—"))
            continue
        label = _("Education %(n)s: %(field)s") % {"n": positions.get(token, "?"), "field": education_field_label(name)}
        lines.append(ChangeLine(section, label, _education_value(name, change.old), _education_value(name, change.new)))
    return lines
