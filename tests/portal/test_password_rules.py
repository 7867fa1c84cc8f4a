"""Password complexity and history rules (等保 2.0): configurable, enforced where passwords change."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from portal.accounts.validators import CharacterClassesValidator, PasswordHistoryValidator
from portal.models import PasswordHistory
from tests.factories import UserFactory


@pytest.mark.parametrize(("password", "ok"), [
    ("abcdefgh", False), ("abcd1234", False), ("ABCD!!!!", False), ("中文中文中文12", False),
    ("abcd123!", True), ("Abcd1234", True), ("ABcd!!xy", True), ("Ab1!", True),
])
def test_three_of_four_character_classes(password, ok):
    validator = CharacterClassesValidator(min_classes=3)
    if ok:
        validator.validate(password)
    else:
        with pytest.raises(ValidationError) as caught:
            validator.validate(password)
        assert caught.value.error_list[0].code == "password_too_simple"


def test_the_number_of_classes_comes_from_the_settings(settings):
    settings.PASSWORD_MIN_CHARACTER_CLASSES = 4
    with pytest.raises(ValidationError):
        CharacterClassesValidator().validate("Abcd1234")
    CharacterClassesValidator().validate("Abcd123!")
    settings.PASSWORD_MIN_CHARACTER_CLASSES = 2
    CharacterClassesValidator().validate("abcd1234")


def test_the_rules_are_wired_with_the_configured_length(settings):
    names = {type(v).__name__: v for v in password_validation.get_default_password_validators()}
    assert {"CharacterClassesValidator", "PasswordHistoryValidator"} <= set(names)
    assert names["MinimumLengthValidator"].min_length == settings.PASSWORD_MIN_LENGTH == 8
    with translation.override("zh-hans"):
        texts = " ".join(password_validation.password_validators_help_texts())
    assert "小写字母、大写字母、数字和符号" in texts and "最近 5 次" in texts


def _change(client, old, new):
    return client.post(reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.mark.django_db
def test_the_last_passwords_cannot_be_used_again(client, settings):
    settings.PASSWORD_HISTORY_COUNT = 3
    user = UserFactory(username="pw_user", password="Start-pass-1")
    client.force_login(user)
    passwords = ["Start-pass-1", "Second-pass-2", "Third-pass-3", "Fourth-pass-4"]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert _change(client, old, new).status_code == 302, new
        user.refresh_from_db()
        client.force_login(user)
    assert PasswordHistory.objects.filter(user=user).count() == 3  # only the last N kept
    for reused in ("Fourth-pass-4", "Third-pass-3", "Second-pass-2"):
        with translation.override("zh-hans"):
            response = _change(client, "Fourth-pass-4", reused)
        assert response.status_code == 200
        assert "该密码是您最近 3 次使用过的密码之一" in response.content.decode(), reused
    # The first is older than the last three: allowed again.
    assert _change(client, "Fourth-pass-4", "Start-pass-1").status_code == 302
    user.refresh_from_db()
    assert user.check_password("Start-pass-1")


@pytest.mark.django_db
def test_the_history_is_checked_for_an_account_without_any_yet(settings):
    settings.PASSWORD_HISTORY_COUNT = 5
    user = UserFactory(username="pw_user2", password="Start-pass-1")
    PasswordHistory.objects.filter(user=user).delete()  # an account from before the rule
    with pytest.raises(ValidationError):
        PasswordHistoryValidator().validate("Start-pass-1", user)
    PasswordHistoryValidator().validate("Other-pass-2", user)


@pytest.mark.django_db
def test_zero_keeps_no_history(settings):
    settings.PASSWORD_HISTORY_COUNT = 0
    user = UserFactory(username="pw_user3", password="Start-pass-1")
    assert not PasswordHistory.objects.filter(user=user).exists()
    PasswordHistoryValidator().validate("Start-pass-1", user)


@pytest.mark.django_db
def test_a_too_simple_password_is_refused_in_chinese(client):
    user = UserFactory(username="pw_user4", password="Start-pass-1")
    client.force_login(user)
    with translation.override("zh-hans"):
        response = _change(client, "Start-pass-1", "qzwxkvjtmp")
    assert response.status_code == 200
    errors = [e for e in response.context["form"].errors.as_data()["new_password2"] if e.code == "password_too_simple"]
    assert len(errors) == 1
    assert "至少包含小写字母、大写字母、数字和符号这四类字符中的 3 类" in " ".join(errors[0].messages)
