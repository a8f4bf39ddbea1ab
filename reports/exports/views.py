"""数据导出 pages: the forms, the progress of one export, the download. Thin: services do the work.

Only reviewers and unit administrators reach them (others: 404); a job is visible to its creator
only (anybody else: 404, whether it exists or not).
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from identity.permissions import staff_required

from . import services
from .constants import RECENT_LIMIT, ExportKind
from .models import ExportJob
from .sources import bind_form, get_source


def _exporter(request):
    if not services.may_export(request.user):
        raise Http404
    return request.user


def _own_job(request, pk) -> ExportJob:
    user = _exporter(request)
    return get_object_or_404(ExportJob, pk=pk, creator=user)


@staff_required
@require_http_methods(["GET", "POST"])
def index(request):
    """The three export forms (one shown at a time) and the person's recent exports."""
    user = _exporter(request)
    # "export", not "kind": the applications form has the inbox's own "kind" filter.
    kind = (request.POST if request.method == "POST" else request.GET).get("export") or ExportKind.ROSTER
    source = get_source(kind)
    if source is None:
        raise Http404
    may_unmask = services.may_export_unmasked(user)
    status = 200
    if request.method == "POST":
        form = bind_form(source, user, request.POST, may_unmask=may_unmask)
        if form.is_valid():
            try:
                job = services.request_export(user=user, kind=kind, form=form, request=request)
            except services.ExportRefused as exc:
                messages.error(request, exc.message)
                status = 400
            else:
                return redirect("reports:exports:job", pk=job.pk)
        else:
            status = 400
    else:
        form = bind_form(source, user, may_unmask=may_unmask)
    context = {
        "form": form,
        "kind": kind,
        "kinds": ExportKind.choices,
        "may_unmask": may_unmask,
        "recent": ExportJob.objects.filter(creator=user).order_by("-created_at")[:RECENT_LIMIT],
    }
    return render(request, "report_exports/index.html", context, status=status)


@staff_required
@require_GET
def job_page(request, pk):
    job = _own_job(request, pk)
    return render(request, "report_exports/job.html", {"job": job})


@staff_required
@require_GET
def progress(request, pk):
    """The progress block; htmx polls it every second while the job runs (the block stops asking when done)."""
    job = _own_job(request, pk)
    return render(request, "report_exports/_progress.html", {"job": job})


@staff_required
@require_GET
def download(request, pk):
    job = _own_job(request, pk)
    if job.is_expired:
        return render(request, "report_exports/gone.html", {"job": job}, status=410)
    if not job.is_downloadable:
        raise Http404
    try:
        handle = services.open_download(job, request=request)
    except FileNotFoundError:
        return render(request, "report_exports/gone.html", {"job": job}, status=410)
    response = FileResponse(handle, as_attachment=True, filename=services.download_filename(job))
    response["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return response
