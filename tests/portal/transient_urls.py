"""Views that fail with a deadlock a given number of times (tests/portal/test_transient_errors.py)."""

from django.db import OperationalError
from django.http import HttpResponse
from django.urls import include, path
from rest_framework.decorators import api_view
from rest_framework.response import Response


class FakeDeadlock(Exception):
    sqlstate = "40P01"


CALLS = {"n": 0, "fail": 0}


def _maybe_fail():
    CALLS["n"] += 1
    if CALLS["n"] <= CALLS["fail"]:
        try:
            raise FakeDeadlock("deadlock detected")
        except FakeDeadlock as cause:
            raise OperationalError("deadlock detected while locking tuple") from cause


def page(request):
    _maybe_fail()
    return HttpResponse(f"saved {request.POST.get('x')}")


@api_view(["POST"])
def api(request):
    _maybe_fail()
    return Response({"saved": request.data.get("x")}, status=201)


urlpatterns = [
    path("write/", page),
    path("api/v1/write/", api),
    path("", include("portal.urls")),
]
