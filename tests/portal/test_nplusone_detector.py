import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from portal.models import User
from portal.testing.nplusone import NPlusOneError, NPlusOneMiddleware


def _view_querying_per_row(rows):
    def view(request):
        for pk in rows:
            User.objects.filter(pk=pk).exists()
        return HttpResponse("ok")

    return view


@pytest.mark.django_db
def test_detector_fails_a_request_that_queries_per_row():
    middleware = NPlusOneMiddleware(_view_querying_per_row(range(20)))
    with override_settings(PORTAL_NPLUSONE_THRESHOLD=12), pytest.raises(NPlusOneError) as err:
        middleware(RequestFactory().get("/x/"))
    assert "20×" in str(err.value)


@pytest.mark.django_db
def test_detector_lets_a_few_repeats_through():
    middleware = NPlusOneMiddleware(_view_querying_per_row(range(3)))
    assert middleware(RequestFactory().get("/x/")).status_code == 200


def test_detector_is_active_in_the_test_settings(settings):
    assert "portal.testing.nplusone.NPlusOneMiddleware" in settings.MIDDLEWARE
