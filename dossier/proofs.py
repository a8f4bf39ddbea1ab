"""The proof checklist (manual §4.7): which upload boxes a dossier needs, computed from what was filled.

- the ID document, front and back, always;
- per 学历 row (not 无学历) its diploma, and its degree certificate when there is a degree;
- a certificate per qualification that is not 无 (专业技术资格, 注册会计师, 资产评估师, 税务师,
  高端人才, 珠算等级);
- proof of employment when 在岗 (劳动合同, 工作证明, 社保 record, or the 从事会计工作说明 template).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .constants import NO_DEGREE, NO_EDUCATION, NONE
from .models import Dossier, DossierProof

SLOT_EMPLOYMENT = "employment"


@dataclass(frozen=True)
class ProofSlot:
    key: str  # the documents slot: "id_front", "diploma:<row token>", ...
    label: Promise | str
    help: Promise | str = ""
    is_employment: bool = False  # offers the 从事会计工作说明 template


def _row_label(template, row) -> str:
    return template % {"level": row.level, "school": row.school}


def proof_slots(dossier: Dossier, educations=None) -> list[ProofSlot]:
    """Every proof the dossier needs, in the order the page shows them. All are required."""
    slots = [
        ProofSlot("id_front", _("ID document, front"), _("The side with your photo.")),
        ProofSlot("id_back", _("ID document, back")),
    ]
    rows = dossier.educations.all() if educations is None else educations
    for row in rows:
        if row.level == NO_EDUCATION:
            continue
        slots.append(ProofSlot(f"diploma:{row.token}", _row_label(_("Diploma: %(level)s, %(school)s"), row)))
        if row.degree and row.degree != NO_DEGREE:
            slots.append(
                ProofSlot(
                    f"degree:{row.token}",
                    _("Degree certificate: %(degree)s, %(school)s") % {"degree": row.degree, "school": row.school},
                )
            )
    if dossier.qualification_type and dossier.qualification_type != NONE:
        slots.append(
            ProofSlot(
                "qualification",
                _("Qualification certificate: %(type)s %(level)s")
                % {"type": dossier.qualification_type, "level": dossier.qualification_level},
            )
        )
    if dossier.is_cpa:
        slots.append(ProofSlot("cpa", _("Certified public accountant certificate")))
    if dossier.is_valuer:
        slots.append(ProofSlot("valuer", _("Certified asset valuer certificate")))
    if dossier.is_tax_adviser:
        slots.append(ProofSlot("tax_adviser", _("Certified tax adviser certificate")))
    if dossier.high_end_talent and dossier.high_end_talent != NONE:
        slots.append(
            ProofSlot("talent", _("High-end talent certificate: %(kind)s") % {"kind": dossier.high_end_talent})
        )
    if dossier.abacus_level and dossier.abacus_level != NONE:
        slots.append(ProofSlot("abacus", _("Abacus certificate: %(level)s") % {"level": dossier.abacus_level}))
    if dossier.on_duty:
        slots.append(
            ProofSlot(
                SLOT_EMPLOYMENT,
                _("Proof of employment"),
                _(
                    "A labour contract, a certificate from your employer, a social insurance record, or the "
                    "signed and sealed statement of accounting work below."
                ),
                is_employment=True,
            )
        )
    return slots


@dataclass(frozen=True)
class ChecklistItem:
    slot: ProofSlot
    proof: DossierProof | None


def checklist(dossier: Dossier) -> list[ChecklistItem]:
    """The slots with what was handed in for each (two queries: rows, proofs with their documents)."""
    slots = proof_slots(dossier)
    prefetched = "proofs" in getattr(dossier, "_prefetched_objects_cache", {})
    rows = dossier.proofs.all() if prefetched else dossier.proofs.select_related("document")
    proofs = {p.slot: p for p in rows}
    return [ChecklistItem(slot, proofs.get(slot.key)) for slot in slots]


def missing_proofs(dossier: Dossier) -> list[ProofSlot]:
    return [item.slot for item in checklist(dossier) if item.proof is None]
