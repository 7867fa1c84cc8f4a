"""Bulk import: a messy file reports every bad row and imports nothing; a clean one imports all."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from members import importer
from members.models import Member, Posting
from portal.errors import NotAllowed
from portal.models import AuditEvent

from ..factories import make_member
from .conftest import xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield
HEADER = ["姓名", "身份证号", "性别", "层级", "界别", "专委会", "工作单位", "手机", "特长", "下沉"]


def upload(name, data):
    return SimpleUploadedFile(name, data)


def test_messy_spreadsheet_reports_every_row_and_imports_nothing(users, tree, bodies):
    make_member(tree.county_a, id_key="EXIST1")
    rows = [
        HEADER,
        ["王一", "K001", "男", "区级", "教育界", "提案委员会", "第一中学", "13900000001", "教育", "三堤口街道"],
        ["", "K002", "", "", "", "", "", "", "", ""],  # no name
        ["李三", "K001", "", "", "", "", "", "", "", ""],  # repeats row 2
        ["赵四", "EXIST1", "", "", "", "", "", "", "", ""],  # already a member
        ["钱五", "K005", "未知", "乡级", "火星界", "", "", "", "", "临涣镇"],  # gender, level, sector, posting
        [None, None, None, None, None, None, None, None, None, None],  # blank lines are skipped
        ["孙六", "K006", "女", "", "", "", "", "", "", "东山街道、庆相桥社区"],
    ]
    result = importer.import_file(actor=users.clerk, unit=tree.county_a, upload=upload("m.xlsx", xlsx(rows)))
    assert not result.ok and result.created == 0
    text = "\n".join(str(e) for e in result.errors)
    for fragment in ["Row 3", "Row 4", "Row 5", "Row 6"]:
        assert fragment in text
    assert "Row 2:" not in text and "Row 8:" not in text
    assert "临涣镇" in text and "火星界" in text and "未知" in text and "乡级" in text
    assert Member.objects.count() == 1


def test_clean_file_imports_all_with_postings(users, tree, bodies):
    rows = [HEADER, ["王一", "k001", "男", "区级", "教育界", "提案委员会", "第一中学", "13900000001", "教育", "三堤口街道"],
            ["孙六", "K006", "女", "市级", "", "", "", "", "", "东山街道、庆相桥社区"]]
    preview = importer.check_file(actor=users.clerk, unit=tree.county_a, upload=upload("m.xlsx", xlsx(rows)))
    assert preview.ok and len(preview.rows) == 2 and not Member.objects.exists()
    result = importer.import_file(actor=users.clerk, unit=tree.county_a, upload=upload("m.xlsx", xlsx(rows)))
    assert result.ok and result.created == 2
    wang = Member.objects.get(id_key="K001")
    assert wang.sector == bodies["sector"] and list(wang.committees.all()) == [bodies["committee"]]
    assert Posting.objects.filter(member__id_key="K006").count() == 2
    assert AuditEvent.objects.filter(action="members.import").count() == 1
    assert AuditEvent.objects.filter(action="members.member.create").count() == 2


def test_gbk_csv_is_read(users, tree):
    data = "姓名,身份证号\n王一,K001\n".encode("gb18030")
    result = importer.import_file(actor=users.clerk, unit=tree.county_a, upload=upload("m.csv", data))
    assert result.ok and Member.objects.get().name == "王一"


def test_utf8_bom_csv_is_read(users, tree):
    data = "\ufeffname,id_key\n王一,K001\n".encode()
    assert importer.import_file(actor=users.clerk, unit=tree.county_a, upload=upload("m.csv", data)).ok


@pytest.mark.parametrize("name,data,fragment", [
    ("m.csv", "姓名,身份证号\n王一,K001\n".encode() + "李二,K002\n".encode("gb18030"), "encodings"),
    ("m.csv", "姓名,工作单位\n王一,中学\n".encode(), "身份证号"),
    ("m.xlsx", b"PK\x03\x04garbage", "could not be read"),
    ("m.xlsx", b"not a zip", "not an Excel"),
    ("m.txt", b"x", "Excel"),
    ("m.csv", b"", "empty"),
])
def test_unreadable_files(users, tree, name, data, fragment):
    result = importer.import_file(actor=users.clerk, unit=tree.county_a, upload=upload(name, data))
    assert not result.ok and fragment in result.errors[0]
    assert not Member.objects.exists()


def test_only_clerks_import(users, tree):
    with pytest.raises(NotAllowed):
        importer.check_file(actor=users.leader, unit=tree.county_a, upload=upload("m.csv", b"a,b"))
    with pytest.raises(NotAllowed):
        importer.check_file(actor=users.clerk_b, unit=tree.county_a, upload=upload("m.csv", b"a,b"))


def test_import_page_preview_then_confirm(client, users, tree):
    client.force_login(users.clerk)
    data = "姓名,身份证号\n王一,K001\n".encode()
    response = client.post("/members/import/", {"unit": tree.county_a.pk, "file": upload("m.csv", data),
                                                "confirm": "0"})
    assert response.status_code == 200 and 'id="import-preview"' in response.content.decode()
    assert not Member.objects.exists()
    response = client.post("/members/import/", {"unit": tree.county_a.pk, "file": upload("m.csv", data),
                                                "confirm": "1"})
    assert response.status_code == 302 and Member.objects.count() == 1
    response = client.post("/members/import/", {"unit": tree.county_b.pk, "file": upload("m.csv", data)})
    assert response.status_code == 200 and not Member.objects.filter(org_unit=tree.county_b).exists()


def test_import_page_keeps_the_checked_file_and_imports_on_confirm(client, users, tree):
    from django.core.files.storage import default_storage

    client.force_login(users.clerk)
    data = "姓名,身份证号\n王一,K001\n李二,K002\n".encode()
    response = client.post("/members/import/", {"unit": tree.county_a.pk, "file": upload("名单.csv", data),
                                                "confirm": "0"})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="import-preview"' in page and "名单.csv" in page
    token = client.session["members.import.stash"]
    stash = importer.load_stash(actor=users.clerk, token=token)
    assert stash is not None and default_storage.exists(stash.stored) and not Member.objects.exists()
    # another user cannot use the token; a forged one opens nothing
    assert importer.load_stash(actor=users.clerk_b, token=token) is None
    assert importer.load_stash(actor=users.clerk, token=token + "x") is None
    # confirm without choosing the file again
    response = client.post("/members/import/", {"unit": tree.county_a.pk, "confirm": "1"})
    assert response.status_code == 302 and Member.objects.count() == 2
    assert "members.import.stash" not in client.session and not default_storage.exists(stash.stored)
    # a second confirm has nothing kept: the file is asked for, nothing imported twice
    response = client.post("/members/import/", {"unit": tree.county_a.pk, "confirm": "1"})
    assert response.status_code == 200 and Member.objects.count() == 2


def test_kept_file_is_rechecked_and_bound_to_its_unit(client, users, tree):
    client.force_login(users.city_clerk)
    data = "姓名,身份证号\n王一,K001\n".encode()
    client.post("/members/import/", {"unit": tree.county_a.pk, "file": upload("m.csv", data), "confirm": "0"})
    # confirming for another unit than the one checked is refused
    response = client.post("/members/import/", {"unit": tree.county_b.pk, "confirm": "1"})
    assert response.status_code == 200 and "按另一单位检查" in response.content.decode()
    assert not Member.objects.exists()
    # someone else imported the same person meanwhile: the confirm reports it, writes nothing
    make_member(tree.county_a, id_key="K001")
    response = client.post("/members/import/", {"unit": tree.county_a.pk, "confirm": "1"})
    assert response.status_code == 200 and 'id="import-errors"' in response.content.decode()
    assert Member.objects.count() == 1


def test_a_bad_file_is_not_kept(client, users, tree):
    client.force_login(users.clerk)
    response = client.post("/members/import/", {"unit": tree.county_a.pk, "confirm": "0",
                                                "file": upload("m.csv", "姓名\n王一\n".encode())})
    assert response.status_code == 200 and 'id="import-errors"' in response.content.decode()
    assert "members.import.stash" not in client.session


def test_a_single_unit_is_preselected(client, users, tree):
    client.force_login(users.clerk)
    page = client.get("/members/import/").content.decode()
    import re

    select = re.search(r'<select name="unit".*?</select>', page, re.S).group(0)
    options = re.findall(r"<option[^>]*>", select)
    assert len(options) == 1 and "selected" in options[0]


def _written(since_audit, since_mark, names):
    """The audit events and summary marks written after the given ids, members named."""
    from reports.models import FactMark

    def who(value):
        return names.get(str(value), value)

    audit = [(e.action, e.actor_id, e.target_type_id, who(e.target_id), e.target_repr, e.org_path, e.before,
              e.after, e.note)
             for e in AuditEvent.objects.filter(pk__gt=since_audit).order_by("pk")]
    marks = [(m.source, m.path, m.day, m.subtree, who(m.who), m.sign, m.bulk)
             for m in FactMark.objects.filter(pk__gt=since_mark).order_by("pk")]
    return audit, marks


def test_the_file_writes_what_a_member_at_a_time_would(users, tree, bodies):
    """The import writes in bulk: the same members, committee seats, postings, audit events and
    summary marks, in the same order, as member_create and posting_add row by row."""
    from django.db import transaction

    from members import services
    from reports.models import FactMark

    def last(model):
        return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    rows = [["王一", "K001", "男", "区级", "教育界", "提案委员会", "第一中学", "13900000001", "教育", "三堤口街道"],
            ["孙六", "K006", "女", "市级", "", "", "", "", "", "东山街道、庆相桥社区"],
            ["李七", "K007", "", "", "", "提案委员会", "", "", "", ""]]
    checked = importer.check_file(actor=users.clerk, unit=tree.county_a, upload=upload("m.xlsx", xlsx([HEADER, *rows])))
    assert checked.ok

    def members():
        found = Member.objects.filter(id_key__in=["K001", "K006", "K007"]).order_by("pk")
        return {str(m.pk): m.name for m in found}, [
            ({f.attname: getattr(m, f.attname) for f in m._meta.concrete_fields if f.attname not in {"id", "created_at"}},
             [b.name for b in m.committees.all()],
             [(p.org_unit_id, p.org_path, p.basis, p.started_on, p.is_active) for p in m.postings.order_by("pk")])
            for m in found]

    audit0, mark0 = last(AuditEvent), last(FactMark)
    with transaction.atomic():
        for data in checked.rows:
            member = services.member_create(
                actor=users.clerk, unit=tree.county_a, committees=[data["committee"]] if data["committee"] else [],
                name=data["name"], id_key=data["id_key"], gender=data["gender"], level=data["level"], term=data["term"],
                sector=data["sector"], party=data["party"], work_unit=data["work_unit"], position=data["position"],
                phone=data["phone"], expertise=data["expertise"])
            for target in data["postings"]:
                services.posting_add(actor=users.clerk, member=member, unit=target)
        one_by_one_names, one_by_one = members()
        one_by_one_written = _written(audit0, mark0, one_by_one_names)
        transaction.set_rollback(True)

    audit0, mark0 = last(AuditEvent), last(FactMark)
    result = importer.import_file(actor=users.clerk, unit=tree.county_a, upload=upload("m.xlsx", xlsx([HEADER, *rows])))
    assert result.ok and result.created == 3
    names, imported = members()
    audit, marks = _written(audit0, mark0, names)
    assert imported == one_by_one
    assert audit[:-1] == one_by_one_written[0] and audit[-1][0] == "members.import"
    assert marks == one_by_one_written[1] and marks
