import datetime
import io
import uuid

import pytest
from django.utils import timezone

from hall.models import Comment, LiveSession, OnlineConsultation, Question, Submission


@pytest.fixture(autouse=True)
def _own_counters(settings):
    """Rate-limit counters of their own per test: parallel workers share one Redis in CI, and
    flushing it would disturb the others."""
    settings.HALL_CACHE_PREFIX = f"hall-test-{uuid.uuid4().hex}"


def make_consultation(unit, *, status=OnlineConsultation.Status.PUBLISHED, opens=-1, closes=5, result="", **kw):
    now = timezone.now()
    c = OnlineConsultation.objects.create(
        org_unit=unit, title=kw.pop("title", "停车难网络协商"), background=kw.pop("background", "背景材料"),
        opens_at=now + datetime.timedelta(days=opens), closes_at=now + datetime.timedelta(days=closes),
        status=status, result=result, **kw)
    return c


def make_comment(consultation, author, body="建议增加车位", status=Comment.Status.VISIBLE, **kw):
    return Comment.objects.create(consultation=consultation, author=author, author_label="张**", body=body,
                                  status=status, **kw)


def make_live(unit, *, status=LiveSession.Status.PUBLISHED, starts=-1, hours=3, **kw):
    start = timezone.now() + datetime.timedelta(hours=starts)
    return LiveSession.objects.create(org_unit=unit, title=kw.pop("title", "直播协商"), starts_at=start,
                                      ends_at=start + datetime.timedelta(hours=hours), status=status, **kw)


def make_submission(unit, **kw):
    kw.setdefault("title", "路灯坏了")
    kw.setdefault("body", "邱楼村路灯坏了 53 盏")
    return Submission.objects.create(org_unit=unit, **kw)


def make_question(consultation, text="您怎么出行？", choices=("步行", "公交")):
    return Question.objects.create(consultation=consultation, text=text, choices=list(choices))


def jpeg_bytes(size=(40, 30), exif=True, fmt="JPEG"):
    from PIL import Image

    img = Image.new("RGB", size, (200, 10, 10))
    out = io.BytesIO()
    if exif and fmt == "JPEG":
        ex = Image.Exif()
        ex[0x010F] = "SecretCamera"  # Make
        ex[0x8825] = {2: (31.0, 0.0, 0.0)}  # GPS
        img.save(out, format=fmt, exif=ex.tobytes())
    else:
        img.save(out, format=fmt)
    return out.getvalue()


def solve(response):
    """Read the server-rendered sum of a form page and return (token, answer)."""
    import re

    html = response.content.decode()
    token = re.search(r'name="challenge_token" value="([^"]+)"', html).group(1)
    a, b = re.search(r"(\d) \+ (\d)", html).groups()
    return token, int(a) + int(b)
