import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from organizations.models import Body, BodyKind

from ..factories import make_member

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TODAY = datetime.date(2026, 6, 30)


def png(name="photo.png", data=PNG):
    return SimpleUploadedFile(name, data, content_type="image/png")


@pytest.fixture
def bodies(tree):
    return {
        "sector": Body.objects.create(unit=tree.county_a, kind=BodyKind.SECTOR, name="教育界"),
        "sector_b": Body.objects.create(unit=tree.county_b, kind=BodyKind.SECTOR, name="教育界"),
        "committee": Body.objects.create(unit=tree.county_a, kind=BodyKind.COMMITTEE, name="提案委员会"),
    }


@pytest.fixture
def me(tree, users):
    """The `member` user's own member record (相山区, posted to 三堤口街道)."""
    return make_member(tree.county_a, posted_to=tree.township_a1, user=users.member, name="刘芳")


@pytest.fixture
def other_b(tree):
    return make_member(tree.county_b, posted_to=tree.township_b1, name="濉溪委员")


def xlsx(rows):
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
