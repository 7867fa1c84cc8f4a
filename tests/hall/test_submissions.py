"""Residents propose topics (群众出题) and follow them by tracking code; abuse resistance."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hall.models import Submission

from .conftest import jpeg_bytes, solve

pytestmark = pytest.mark.django_db


def _post(client, unit, place=None, **extra):
    url = reverse("hall:submit", args=[(place or unit).pk])
    token, answer = solve(client.get(url))
    data = {"unit": unit.pk, "title": "路灯坏了", "body": "路灯坏了一半，晚上看不见", "location": "3 号楼",
            "contact_name": "王先生", "contact_phone": "13900001111", "challenge_token": token,
            "challenge_answer": answer}
    data.update(extra)
    return client.post(url, data)


def test_resident_submits_a_topic_without_an_account_and_follows_it(client, tree):
    response = _post(client, tree.village_a1a, place=tree.township_a1)
    submission = Submission.objects.get()
    assert response.status_code == 302 and submission.tracking_code in response["Location"]
    assert submission.org_unit == tree.village_a1a and submission.status == Submission.Status.NEW
    assert submission.submitter is None
    page = client.get(reverse("hall:track_detail", args=[submission.tracking_code]))
    html = page.content.decode()
    assert page.status_code == 200 and "路灯坏了" in html
    # Personal data stays out even of the resident's own tracking page (the code may be shared).
    assert "13900001111" not in html and "王先生" not in html


def test_tracking_codes_are_long_and_random(tree):
    from hall.models import new_tracking_code

    codes = {new_tracking_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) >= 20 for c in codes)


@pytest.mark.parametrize("code", ["x", "A" * 20, "../../etc/passwd", "%3Cscript%3E", "A" * 40])
def test_forged_tracking_codes_get_a_clean_404(client, tree, code):
    from .conftest import make_submission

    make_submission(tree.village_a1a)
    response = client.get(f"/hall/track/{code}/")
    assert response.status_code == 404


def test_wrong_challenge_answer_stores_nothing(client, tree):
    response = _post(client, tree.village_a1a, challenge_answer="99")
    assert response.status_code == 400 and not Submission.objects.exists()
    assert "答案" in response.content.decode() or "check" in response.content.decode()


def test_a_solved_challenge_cannot_be_replayed(client, tree):
    url = reverse("hall:submit", args=[tree.village_a1a.pk])
    token, answer = solve(client.get(url))
    data = {"unit": tree.village_a1a.pk, "title": "t", "body": "b", "challenge_token": token, "challenge_answer": answer}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 400
    assert Submission.objects.count() == 1


def test_forged_challenge_token_is_refused(client, tree):
    response = _post(client, tree.village_a1a, challenge_token="eyJzIjoxfQ:forged", challenge_answer="1")
    assert response.status_code == 400 and not Submission.objects.exists()


def test_spam_burst_from_one_ip_is_limited(client, tree, settings):
    settings.HALL_RATE_LIMITS = {"submit": (3, 3600)}
    codes = [_post(client, tree.village_a1a).status_code for _ in range(6)]
    assert codes[:3] == [302, 302, 302]
    assert set(codes[3:]) == {429}
    assert Submission.objects.count() == 3


def test_submission_must_be_for_a_community_under_the_place(client, tree):
    # A village of another county is not in the list for 三堤口街道.
    response = _post(client, tree.village_b1a, place=tree.township_a1)
    assert response.status_code == 400 and not Submission.objects.exists()


def test_place_without_communities_has_no_submit_page(client, tree):
    assert client.get(reverse("hall:submit", args=[tree.township_a2.pk])).status_code == 404


def test_photos_are_re_encoded_without_metadata(client, tree):
    from PIL import Image

    raw = jpeg_bytes(size=(3000, 2000))
    assert b"SecretCamera" in raw
    photo = SimpleUploadedFile("IMG_我的家.jpg", raw, content_type="image/jpeg")
    response = _post(client, tree.village_a1a, photos=[photo])
    assert response.status_code == 302
    stored = Submission.objects.get().photos.get()
    data = stored.image.read()
    assert b"SecretCamera" not in data and b"Exif" not in data
    assert "我的家" not in stored.image.name and stored.image.name.endswith(".jpg")
    import io

    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG" and max(img.size) <= 1600 and not img.info.get("exif")


def test_garbage_and_oversized_photos_are_refused(client, tree):
    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>" * 10, content_type="image/jpeg")
    assert _post(client, tree.village_a1a, photos=[fake]).status_code == 400
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 10), content_type="image/png")
    assert _post(client, tree.village_a1a, photos=[big]).status_code == 400
    svg = SimpleUploadedFile("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>",
                             content_type="image/svg+xml")
    assert _post(client, tree.village_a1a, photos=[svg]).status_code == 400
    too_many = [SimpleUploadedFile(f"{i}.jpg", jpeg_bytes(), content_type="image/jpeg") for i in range(4)]
    assert _post(client, tree.village_a1a, photos=too_many).status_code == 400
    assert not Submission.objects.exists()


def test_photo_is_served_only_with_its_tracking_code(client, tree):
    photo = SimpleUploadedFile("a.png", jpeg_bytes(fmt="PNG", exif=False), content_type="image/png")
    _post(client, tree.village_a1a, photos=[photo])
    s = Submission.objects.get()
    p = s.photos.get()
    response = client.get(reverse("hall:track_photo", args=[s.tracking_code, p.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert client.get(reverse("hall:track_photo", args=["wrong-code-000000000", p.pk])).status_code == 404
    assert client.get(reverse("hall:track_photo", args=[s.tracking_code, p.pk + 1])).status_code == 404


def test_script_in_a_submission_is_shown_as_text(client, tree):
    _post(client, tree.village_a1a, title="<script>alert(1)</script>", body="<img src=x onerror=alert(1)>")
    s = Submission.objects.get()
    html = client.get(reverse("hall:track_detail", args=[s.tracking_code])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html


def test_signed_in_resident_sees_their_topics(client, tree):
    from hall import services

    user = services.resident_signup(username="zhang", password="a-Long-pass-2026", display_name="张兰",
                                    unit=tree.village_a1a)
    client.force_login(user)
    _post(client, tree.village_a1a)
    assert Submission.objects.get().submitter == user
    assert "路灯坏了" in client.get(reverse("hall:my")).content.decode()


def test_a_limited_burst_keeps_the_typed_text_and_says_why(client, tree, settings):
    settings.HALL_RATE_LIMITS = {"submit": (1, 3600)}
    assert _post(client, tree.village_a1a).status_code == 302
    response = _post(client, tree.village_a1a, title="第二次提交")
    html = response.content.decode()
    assert response.status_code == 429 and "第二次提交" in html and "操作太频繁" in html
    assert Submission.objects.count() == 1


def test_live_question_and_signup_bursts_are_limited(client, tree, settings):
    from .conftest import make_live

    settings.HALL_RATE_LIMITS = {"question": (2, 600), "signup": (1, 3600)}
    s = make_live(tree.township_a1)
    url = reverse("hall:live", args=[s.pk])
    codes = []
    for i in range(4):
        token, answer = solve(client.get(url))
        codes.append(client.post(url, {"body": f"问题{i}", "challenge_token": token, "challenge_answer": answer}
                                 ).status_code)
    assert codes == [302, 302, 429, 429]
    signup = reverse("hall:signup")
    for expected in (200, 429):  # the first fails validation (no data), the second is over the limit
        assert client.post(signup, {}).status_code == expected
