"""The public/private boundary: every public page and endpoint of the hall shows published data only.

Drafts, personal data (contact details, account names), internal notes, pending and hidden comments
or questions never appear, whichever id a visitor puts into whichever public route. The routes are
read from hall/urls.py so a new route is covered automatically."""

import re

import pytest
from django.urls import get_resolver, reverse

from hall import urls as hall_urls
from hall.models import Comment, LiveQuestion, LiveSession, OnlineConsultation
from organizations.models import Role
from tests.factories import make_user

from .conftest import make_comment, make_consultation, make_live, make_submission

pytestmark = pytest.mark.django_db

SECRETS = ["DRAFT-SECRET", "INTERNAL-SECRET", "13912345678", "CONTACT-SECRET", "PENDING-SECRET", "HIDDEN-SECRET",
           "DRAFT-LIVE", "PENDING-Q", "HIDDEN-Q", "LIVE-INTERNAL", "ACCOUNT-SECRET", "SUBMISSION-NOTE"]

PUBLIC = [p for p in hall_urls.urlpatterns if not str(p.pattern).startswith("manage/")]
MANAGE = [p for p in hall_urls.urlpatterns if str(p.pattern).startswith("manage/")]


@pytest.fixture
def world(tree):
    resident = make_user(Role.RESIDENT, tree.village_a1a, display_name="ACCOUNT-SECRET", username="acct")
    published = make_consultation(tree.township_a1, internal_note="INTERNAL-SECRET")
    make_comment(published, resident, body="visible comment")
    make_comment(published, resident, body="PENDING-SECRET", status=Comment.Status.PENDING)
    make_comment(published, resident, body="HIDDEN-SECRET", status=Comment.Status.HIDDEN)
    draft = make_consultation(tree.township_a1, title="DRAFT-SECRET", status=OnlineConsultation.Status.DRAFT)
    make_comment(draft, resident, body="DRAFT-SECRET comment")
    live = make_live(tree.township_a1, internal_note="LIVE-INTERNAL")
    LiveQuestion.objects.create(session=live, asker_label="x", body="PENDING-Q")
    LiveQuestion.objects.create(session=live, asker_label="x", body="HIDDEN-Q", status=LiveQuestion.Status.HIDDEN)
    draft_live = make_live(tree.township_a1, title="DRAFT-LIVE", status=LiveSession.Status.DRAFT)
    submission = make_submission(tree.village_a1a, contact_name="CONTACT-SECRET", contact_phone="13912345678",
                                 internal_note="SUBMISSION-NOTE", submitter=resident)
    from consultations.models import Topic

    draft_topic = Topic.objects.create(org_unit=tree.township_a1, channel="resident", title="DRAFT-SECRET topic")
    public_topic = Topic.objects.create(org_unit=tree.township_a1, channel="resident", title="公示议题",
                                        status="approved", is_public=True, internal_note="INTERNAL-SECRET",
                                        proposer_name="CONTACT-SECRET")
    submission.topic = draft_topic
    submission.save()
    return {"draft_topic": draft_topic, "public_topic": public_topic, "published": published, "draft": draft, "live": live, "draft_live": draft_live,
            "submission": submission, "tree": tree}


def _all_ids(world):
    ids = set()
    for obj in world.values():
        if hasattr(obj, "pk"):
            ids.add(obj.pk)
    from hall.models import Comment

    ids |= set(Comment.objects.values_list("pk", flat=True))
    ids |= set(LiveQuestion.objects.values_list("pk", flat=True))
    t = world["tree"]
    ids |= {t.city.pk, t.county_a.pk, t.township_a1.pk, t.village_a1a.pk}
    return sorted(ids)


def _urls(pattern, world):
    raw = "/hall/" + str(pattern.pattern)
    params = re.findall(r"<(?:(\w+):)?(\w+)>", raw)
    if not params:
        return [raw]
    if any(conv == "str" for conv, _ in params):
        code = world["submission"].tracking_code
        return [re.sub(r"<str:code>", code, raw).replace("<int:pk>", str(world["submission"].photos.count() + 1))]
    urls = []
    for pk in _all_ids(world):
        urls.append(re.sub(r"<(?:(\w+):)?(\w+)>", str(pk), raw))
    return urls


def _assert_clean(response, url):
    html = response.content.decode(errors="replace")
    for secret in SECRETS:
        assert secret not in html, f"{secret} leaked on {url}"
    assert response.status_code < 500, url


def test_every_public_route_is_listed():
    names = {p.name for p in PUBLIC}
    assert {"index", "place", "submit", "track_detail", "consultation", "live", "comment", "rate"} <= names


@pytest.mark.parametrize("pattern", PUBLIC, ids=[p.name for p in PUBLIC])
def test_public_route_never_shows_unpublished_or_personal_data(client, world, pattern):
    for url in _urls(pattern, world):
        _assert_clean(client.get(url), url)
        _assert_clean(client.post(url), url)


@pytest.mark.parametrize("pattern", PUBLIC, ids=[p.name for p in PUBLIC])
def test_public_route_shows_nothing_private_to_a_signed_in_resident(client, world, pattern):
    client.force_login(make_user(Role.RESIDENT, world["tree"].village_a1a, display_name="居民"))
    for url in _urls(pattern, world):
        _assert_clean(client.get(url), url)


def test_drafts_answer_404(client, world):
    assert client.get(reverse("hall:consultation", args=[world["draft"].pk])).status_code == 404
    assert client.get(reverse("hall:live", args=[world["draft_live"].pk])).status_code == 404
    assert client.get(reverse("hall:consultation", args=[world["published"].pk])).status_code == 200
    assert client.get(reverse("hall:live", args=[world["live"].pk])).status_code == 200


def test_track_page_shows_status_but_no_contact_or_internal_note(client, world):
    html = client.get(reverse("hall:track_detail", args=[world["submission"].tracking_code])).content.decode()
    assert world["submission"].title in html


def _manage_urls(world):
    urls = []
    for pattern in MANAGE:
        raw = "/hall/" + str(pattern.pattern)
        raw = raw.replace("<int:pk>", str(world["submission"].pk)).replace("<int:photo>", "1")
        urls.append(raw)
    return urls


def test_manage_screens_need_a_login(client, world):
    for url in _manage_urls(world):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], (method, url)


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MEMBER, Role.DEPARTMENT, Role.LEADER, Role.APPROVER,
                                  Role.PROPOSAL_STAFF])
def test_manage_screens_are_refused_to_roles_that_do_not_screen(client, world, tree, role):
    """The refusal policy: a staff page that is not a record (the queues, "new …") is the 403
    "not allowed" page; a record's page is the 404 of a record outside the scope."""
    client.force_login(make_user(role, tree.county_a))
    for pattern, url in zip(MANAGE, _manage_urls(world), strict=True):
        record = "<int:pk>" in str(pattern.pattern)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if record:
                assert response.status_code == 404, (role, method, url)
            else:
                assert response.status_code in (403, 405), (role, method, url)
                if response.status_code == 403:
                    assert "您无权执行此操作" in response.content.decode(), (role, method, url)


def test_secretary_of_another_county_sees_none_of_our_records(client, world, users):
    client.force_login(users.secretary_b)
    for name, obj in [("manage_submission", world["submission"]), ("manage_consultation", world["published"]),
                      ("manage_live", world["live"])]:
        assert client.get(reverse(f"hall:{name}", args=[obj.pk])).status_code == 404
        assert client.post(reverse(f"hall:{name}", args=[obj.pk])).status_code == 404
    html = client.get(reverse("hall:manage")).content.decode()
    assert world["submission"].title not in html
    assert "PENDING-SECRET" not in client.get(reverse("hall:manage_moderation")).content.decode()


def test_missing_ids_on_manage_screens_are_404(client, users):
    client.force_login(users.secretary)
    for name in ["manage_submission", "manage_consultation", "manage_live", "manage_comment"]:
        assert client.get(reverse(f"hall:{name}", args=[987654321])).status_code in (404, 405)


def test_resolver_has_the_hall_mounted_at_hall():
    assert any(str(p.pattern) == "hall/" for p in get_resolver().url_patterns)
