"""统计分析: the finance bureaus' dashboard and the XLSX export of each of its tables.

Thin views: figures come from `reports.dashboard_figures` (aggregates only), scope from `reviews.scope`
(a unit outside it answers 404), every view is audited.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.services import record_event
from core.db_router import use_replica
from identity.permissions import staff_required

from .dashboard_figures import build_dashboard
from .xlsx import workbook_bytes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _dashboard(request):
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    # The figures are read from the replica when one is configured (DATABASE_REPLICA_URL): statistics
    # may lag a moment, and they never include what this request writes.
    with use_replica():
        return build_dashboard(
            request.user, unit_code=request.GET.get("unit", "").strip(), kind=request.GET.get("kind", ""), year=year
        )


@staff_required
@require_GET
def dashboard(request):
    board = _dashboard(request)
    record_event(
        action="reports.dashboard_view",
        request=request,
        object_type="regions.reviewunit",
        object_id=str(board.scope.unit["id"]),
        detail={"unit": board.scope.unit["code"], "kind": board.kind, "year": board.year},
    )
    charts, charted = {}, set()
    for table in board.tables:
        data = table.chart_data()  # computed once per table: the template asks `charted`
        if data:
            charts[f"chart-{table.key}"] = data
            charted.add(table.key)
    query = request.GET.urlencode()
    return render(
        request,
        "reports/dashboard.html",
        {"board": board, "charts": charts, "charted": charted, "query": query, "units": board.scope.choices},
    )


@staff_required
@require_GET
def export_table(request, key: str):
    """One table of the dashboard (same scope and filters) as an XLSX workbook."""
    board = _dashboard(request)
    table = board.table(key)
    record_event(
        action="reports.table_export",
        request=request,
        object_type="regions.reviewunit",
        object_id=str(board.scope.unit["id"]),
        detail={"unit": board.scope.unit["code"], "table": key, "kind": board.kind, "year": board.year},
    )
    content = workbook_bytes(title=table.caption, rows=[[table.caption], *table.export_rows()])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{key}-{board.scope.unit["code"]}-{stamp}.xlsx"'
    return response
