"""The hall's part of the demo data (its second load is checked in tests/portal/test_demo_data.py)."""

from hall.models import LiveSession, OnlineConsultation, Submission


def test_demo_has_submissions_online_consultations_and_live_sessions(demo):
    assert Submission.objects.count() >= 5
    assert OnlineConsultation.objects.count() >= 3
    assert LiveSession.objects.count() >= 2
