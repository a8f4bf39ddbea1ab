from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .selectors import picker_group, picker_groups


@require_GET
@cache_control(public=True, max_age=300)
def unit_options(request: HttpRequest) -> HttpResponse:
    """The `<option>`s of the picker's second select for ?city=<top unit code> (all, grouped, without).

    Public (the 手机号更换 form is filled in before signing in); served from cached data.
    """
    city = request.GET.get("city", "")
    group = picker_group(city) if city else None
    if city and group is None:
        raise Http404
    return render(request, "regions/_unit_options.html", {"group": group, "groups": picker_groups(), "selected": ""})
