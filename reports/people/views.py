"""人员查询: find an accountant in scope, open their file. Thin views over dossier.people,
reports.people.selectors and the audit services. Outside the scope: not found / 404."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from core.masking import mask_id_number, mask_phone
from dossier import people
from dossier.record_sections import render_sections
from identity.permissions import staff_required

from . import selectors, services
from .forms import PeopleSearchForm


@staff_required
@require_http_methods(["GET", "POST"])
def search(request):
    """Search by ID number, name prefix, phone or employer USCC (posted, never in the URL)."""
    form = PeopleSearchForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        kind, value = form.cleaned_data["by"], form.cleaned_data["q"]
        result = people.find_people(request.user, kind, value)
        services.record_search(request=request, kind=kind, value=value, found=len(result.people))
    return render(request, "people/search.html", {"form": form, "result": result})


@staff_required
@require_http_methods(["GET"])
def person(request, pk):
    """A person's file: record, versions, applications, 继续教育, integrity. Opening it is audited."""
    person = selectors.person_for_staff(request.user, pk)
    services.record_view(request=request, person=person)
    file = selectors.person_file(request.user, person)
    if file.record is not None:
        # Shown masked (no audited reveal exists yet): this instance is for display only, never saved.
        file.record.current.id_number = mask_id_number(file.record.current.id_number)
    context = {
        "file": file,
        "person": person,
        "masked_id": mask_id_number(person.id_number),
        "masked_phone": mask_phone(person.phone),
        "record": file.record,
        "dossier": file.record.current if file.record else None,
        "items": file.proof_items,
        "versions": file.versions,
        "extra_sections": render_sections(person, request=request),
    }
    return render(request, "people/person.html", context)
