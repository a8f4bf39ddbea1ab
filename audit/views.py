"""The audit viewer (审计日志) for auditors and security administrators: filter, page, export.

Read-only: nothing here changes an audit row (the model and the database refuse anyway). Opening a
page and exporting are themselves audited (audit.view, audit.export). Anybody else gets 404. The
rows are read inside `use_replica()`: on the read replica when one is configured; the audit rows of
the viewing itself are written to the primary.
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.db_router import use_replica
from identity.permissions import staff_required

from .export import write_events_xlsx
from .forms import AuditFilterForm
from .selectors import (
    EXPORT_MAX_ROWS,
    BadCursor,
    filter_events,
    may_read_audit_log,
    page_of_events,
    sees_everything,
    visible_events,
)
from .services import record_event


def _require_reader(request):
    if not may_read_audit_log(request.user):
        raise Http404


@staff_required
@require_http_methods(["GET", "POST"])
def log(request):
    """Filters and one keyset page of the rows the reader may see, newest first."""
    _require_reader(request)
    if request.method == "POST":
        # The posted form may carry an ID number: resolve it, then continue with a URL without it.
        form = AuditFilterForm(request.POST, user=request.user)
        if form.is_valid():
            return redirect(f"{reverse('audit:log')}?{urlencode(form.query_params(), doseq=True)}")
        return render(request, "audit/log.html", {"form": form, "page": None}, status=200)

    form = AuditFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "audit/log.html", {"form": form, "page": None})
    try:
        with use_replica():
            page = page_of_events(filter_events(visible_events(request.user), form.filters()), request.GET.get("after"))
    except BadCursor:
        raise Http404 from None
    record_event(action="audit.view", request=request, detail={"filters": form.audit_detail()})
    params = form.query_params()
    context = {
        "form": form,
        "page": page,
        "person_filtered": bool(params.get("person")),
        "sees_everything": sees_everything(request.user),
        "first_url": f"?{urlencode(params, doseq=True)}" if request.GET.get("after") else None,
        "next_url": f"?{urlencode({**params, 'after': page.next_cursor}, doseq=True)}" if page.next_cursor else None,
        "export_url": f"{reverse('audit:export')}?{urlencode(params, doseq=True)}",
        "export_max_rows": EXPORT_MAX_ROWS,
    }
    return render(request, "audit/log.html", context)


@staff_required
@require_GET
def export(request):
    """The filtered rows as an XLSX file (at most EXPORT_MAX_ROWS rows, with a note past that)."""
    _require_reader(request)
    form = AuditFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(reverse("audit:log"))
    with use_replica():
        output, rows, truncated = write_events_xlsx(filter_events(visible_events(request.user), form.filters()))
    record_event(
        action="audit.export",
        request=request,
        detail={"filters": form.audit_detail(), "rows": rows, "truncated": truncated},
    )
    name = f"audit-log-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
    response = FileResponse(
        output,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    if truncated:
        response["X-Export-Truncated"] = str(EXPORT_MAX_ROWS)
    return response
