"""SMS (短信) as a push channel, through the provider's official SDK, chosen by `SMS_PROVIDER`:
Aliyun Dysmsapi 2017-05-25 (`alibabacloud-dysmsapi20170525`) or Tencent Cloud SMS 2021-01-11
(`tencentcloud-sdk-python-sms`). See docs/sms-and-traffic-lights.md.

- **Templates**: an SMS in mainland China is a provider-approved template with the deployment's
  signature (签名). `SMS_TEMPLATES` maps a notification kind to a template code; "digest" is the
  template for a message grouping several notifications, "default" for every other kind. Every
  template gets the variables `title` (the notification's subject, at most 35 characters, with
  its traffic-light label such as 【逾期】 when it has a due date) and `count` (how many
  notifications the message stands for).
- **Quiet hours**: no SMS from 21:00 to 08:00 Asia/Shanghai (`SMS_QUIET_HOURS`) unless the kind
  is urgent (`SMS_URGENT_KINDS`); a held delivery goes out at the end of the quiet hours.
- **Cost**: one SMS per person per batch. A digest is one notification, so one SMS; the other
  non-urgent notifications pending for the same person (a scan's batch, what waited through the
  night) go out together in one SMS using the "digest" template.
- **Opt-out**: a user may refuse SMS (notification settings page) except for urgent kinds and
  `SMS_MANDATORY_KINDS` (default: overdue proposal replies and suggestions), which the offices
  rely on reaching the person in charge.
- **Delivery reports**: the send's BizId (Aliyun) or SerialNo (Tencent) and request id are
  stored on the delivery; the beat task `notifications.sms_reports` asks QuerySendDetails (Aliyun)
  or pulls PullSmsSendStatus (Tencent) and records delivered / not delivered.
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.audit import audit_log

from . import kinds
from .channels import Channel, Receipt, labelled_subject, register_channel
from .models import ChannelOptOut, Delivery, DeliveryStatus, ReportStatus

log = logging.getLogger(__name__)

CODE = "sms"
TITLE_LENGTH = 35  # Aliyun's limit for a variable of a notification template
DEFAULT_URGENT_KINDS = ("consultations.session_invitation",)
DEFAULT_MANDATORY_KINDS = ("proposals.reply_overdue", "consultations.suggestion_overdue")
# Codes of a SendSms answer that will not change on a retry: the number or the content is wrong.
PERMANENT_CODES = {"isv.MOBILE_NUMBER_ILLEGAL", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.BLACK_KEY_CONTROL_LIMIT",
                   "isv.PARAM_LENGTH_LIMIT", "isv.DAY_LIMIT_CONTROL"}


class SmsError(Exception):
    """The provider refused or could not take the message (retried by the engine)."""


class SmsRejected(SmsError):
    """The provider will never accept this message for this number (the delivery is skipped)."""


def _setting(name, default=None):
    return getattr(settings, name, default)


def urgent_kinds() -> set[str]:
    return set(_setting("SMS_URGENT_KINDS", DEFAULT_URGENT_KINDS))


def mandatory_kinds() -> set[str]:
    """Kinds a user cannot refuse by SMS: urgent ones, the deployment's SMS-mandatory ones and
    kinds mandatory for every channel."""
    return urgent_kinds() | set(_setting("SMS_MANDATORY_KINDS", DEFAULT_MANDATORY_KINDS))


def cannot_opt_out(kind: str) -> bool:
    return kind in mandatory_kinds() or kinds.is_mandatory(kind)


def quiet_hours() -> tuple[datetime.time, datetime.time] | None:
    """(start, end) in local time, e.g. 21:00–08:00; None when switched off ("")."""
    value = _setting("SMS_QUIET_HOURS", "21:00-08:00")
    if not value:
        return None
    start, end = (datetime.time.fromisoformat(part.strip()) for part in value.split("-"))
    return start, end


def quiet_until(now: datetime.datetime) -> datetime.datetime | None:
    """When the quiet hours around `now` end (local time), or None outside them."""
    hours = quiet_hours()
    if hours is None:
        return None
    start, end = hours
    local = timezone.localtime(now)
    clock = local.time()
    inside = (start <= clock or clock < end) if start > end else (start <= clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, end), timezone.get_current_timezone())


def template_for(kind: str, *, grouped: bool) -> str:
    templates = _setting("SMS_TEMPLATES", {}) or {}
    if grouped or kind == kinds.DIGEST_KIND:
        code = templates.get("digest") or templates.get("default")
    else:
        code = templates.get(kind) or templates.get("default")
    if not code:
        raise ImproperlyConfigured(f"SMS_TEMPLATES has no template for {kind} (nor a default)")
    return code


def titled(notification, today: datetime.date) -> str:
    """The subject with its traffic-light label when it has a due date: 【逾期】… / 【临期】…"""
    return labelled_subject(notification, today)[:TITLE_LENGTH]


# --- the provider ------------------------------------------------------------------------------

@dataclass(frozen=True)
class SendResult:
    biz_id: str
    request_id: str
    address: str = ""  # the number as the provider took it, when it differs (Tencent: +86…)


@dataclass(frozen=True)
class Report:
    status: str  # ReportStatus value, or "" while the provider has no receipt yet
    code: str = ""


class AliyunSms:
    """SendSms and QuerySendDetails through the official SDK. `SMS_ENDPOINT` and
    `SMS_PROTOCOL` point it elsewhere (a regional endpoint, or the tests' local fake)."""

    def __init__(self):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.models import Config

        key_id, secret = _setting("SMS_ACCESS_KEY_ID", ""), _setting("SMS_ACCESS_KEY_SECRET", "")
        if not key_id or not secret:
            raise ImproperlyConfigured("SMS_ACCESS_KEY_ID and SMS_ACCESS_KEY_SECRET must be set for SMS")
        config = Config(access_key_id=key_id, access_key_secret=secret,
                        endpoint=_setting("SMS_ENDPOINT", "") or "dysmsapi.aliyuncs.com",
                        protocol=_setting("SMS_PROTOCOL", "https"),
                        region_id=_setting("SMS_REGION", "") or "cn-hangzhou",
                        connect_timeout=int(_setting("SMS_CONNECT_TIMEOUT_MS", 5000)),
                        read_timeout=int(_setting("SMS_READ_TIMEOUT_MS", 10000)))
        self.client = Client(config)
        self.sign_name = _setting("SMS_SIGN_NAME", "")
        if not self.sign_name:
            raise ImproperlyConfigured("SMS_SIGN_NAME must be set for SMS")

    def send(self, *, phone: str, template: str, params: dict, out_id: str) -> SendResult:
        from alibabacloud_dysmsapi20170525 import models

        request = models.SendSmsRequest(phone_numbers=phone, sign_name=self.sign_name, template_code=template,
                                        template_param=json.dumps(params, ensure_ascii=False), out_id=out_id)
        body = self.client.send_sms(request).body
        if body.code != "OK":
            error = SmsRejected if body.code in PERMANENT_CODES else SmsError
            raise error(f"{body.code}: {body.message} (request {body.request_id})")
        return SendResult(biz_id=body.biz_id or "", request_id=body.request_id or "")

    def query(self, *, phone: str, biz_id: str, send_date: datetime.date) -> Report:
        from alibabacloud_dysmsapi20170525 import models

        request = models.QuerySendDetailsRequest(phone_number=phone, biz_id=biz_id,
                                                 send_date=send_date.strftime("%Y%m%d"), page_size=10, current_page=1)
        body = self.client.query_send_details(request).body
        if body.code != "OK":
            raise SmsError(f"{body.code}: {body.message} (request {body.request_id})")
        details = (body.sms_send_detail_dtos.sms_send_detail_dto or []) if body.sms_send_detail_dtos else []
        for detail in details:
            # SendStatus: 1 waiting for the receipt, 2 failed, 3 delivered
            if detail.send_status == 3:
                return Report(ReportStatus.DELIVERED, detail.err_code or "DELIVERED")
            if detail.send_status == 2:
                return Report(ReportStatus.UNDELIVERED, detail.err_code or "")
        return Report("")

    def reports(self, messages: list[dict]) -> dict[str, Report]:
        """Receipts of the given messages (provider_id, address, sent_at), one query each."""
        found = {}
        for row in messages:
            report = self.query(phone=row["address"], biz_id=row["provider_id"],
                                send_date=timezone.localtime(row["sent_at"]).date())
            if report.status:
                found[row["provider_id"]] = report
        return found


# Tencent Cloud SMS answers that will not change on a retry: the number, the content or the
# number's own daily limit. Everything else (throttling per 30 s / hour, the package used up,
# an internal error, a key or template not yet approved) is retried with backoff.
TENCENT_PERMANENT_CODES = {
    "InvalidParameterValue.IncorrectPhoneNumber", "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.ContainSensitiveWord", "InvalidParameterValue.ContentLengthLimit",
    "InvalidParameterValue.TemplateParameterLengthLimit", "InvalidParameterValue.TemplateParameterFormatError",
    "LimitExceeded.PhoneNumberDailyLimit", "FailedOperation.PhoneNumberParseFail",
    "UnsupportedOperation.UnsupportedRegion",
}
# What an office reads on the failures page: the provider's codes in plain words.
TENCENT_MESSAGES = {
    "InvalidParameterValue.IncorrectPhoneNumber": gettext_lazy("The phone number is not valid"),
    "FailedOperation.PhoneNumberInBlacklist": gettext_lazy("The number is on the provider's do-not-disturb list"),
    "FailedOperation.ContainSensitiveWord": gettext_lazy("The text contains words the provider does not allow"),
    "InvalidParameterValue.ContentLengthLimit": gettext_lazy("The text is too long"),
    "InvalidParameterValue.TemplateParameterLengthLimit": gettext_lazy("A template variable is too long"),
    "InvalidParameterValue.TemplateParameterFormatError": gettext_lazy("A template variable has the wrong format"),
    "LimitExceeded.PhoneNumberDailyLimit": gettext_lazy("The daily SMS limit of this number has been reached"),
    "LimitExceeded.PhoneNumberThirtySecondLimit": gettext_lazy(
        "Too many SMS to this number within 30 seconds; will try again"),
    "LimitExceeded.PhoneNumberOneHourLimit": gettext_lazy("Too many SMS to this number within an hour; will try again"),
    "LimitExceeded.DeliveryFrequencyLimit": gettext_lazy("Sending too often; will try again"),
    "LimitExceeded.AppDailyLimit": gettext_lazy("The deployment's daily SMS limit has been reached; will try again"),
    "FailedOperation.InsufficientBalanceInSmsPackage": gettext_lazy(
        "The SMS package is used up; will try again once it is topped up"),
    "FailedOperation.SignatureIncorrectOrUnapproved": gettext_lazy(
        "The signature (SMS_SIGN_NAME) is wrong or not approved"),
    "FailedOperation.TemplateIncorrectOrUnapproved": gettext_lazy("The template is wrong or not approved"),
    "AuthFailure.SecretIdNotFound": gettext_lazy("The SecretId (SMS_ACCESS_KEY_ID) is not known to the provider"),
    "AuthFailure.SignatureFailure": gettext_lazy("The SecretKey (SMS_ACCESS_KEY_SECRET) does not match"),
    "InvalidParameterValue.SdkAppIdNotExist": gettext_lazy("The SMS application (SMS_SDK_APP_ID) does not exist"),
    "ServerNetworkError": gettext_lazy("The provider is not available at the moment; will try again"),
    "ClientNetworkError": gettext_lazy("The provider could not be reached; will try again"),
}


def tencent_error(code: str, message: str, request_id: str = "") -> str:
    """The provider's answer in the deployment's language (Chinese), with its code and request
    id for the provider's support."""
    with translation.override(settings.LANGUAGE_CODE):
        words = str(TENCENT_MESSAGES.get(code) or message or code)
        detail = code if not request_id else _("%(code)s, request %(request)s") % {"code": code,
                                                                                     "request": request_id}
        return _("Tencent Cloud SMS: %(words)s (%(detail)s)") % {"words": words, "detail": detail}


def e164(phone: str) -> str:
    """Tencent wants numbers as +[country][number]; a mainland mobile number gets +86."""
    if phone.startswith("+"):
        return phone
    if phone.startswith("0086"):
        return "+" + phone[2:]
    if len(phone) == 13 and phone.startswith("86"):
        return "+" + phone
    return "+86" + phone


class TencentSms:
    """SendSms and PullSmsSendStatus (SMS 2021-01-11) through the official SDK. The deployment's
    SMS application (`SMS_SDK_APP_ID`), signature and template ids come from the settings;
    `SMS_ENDPOINT`, `SMS_PROTOCOL` and `SMS_REGION` point the SDK elsewhere (the tests' fake).
    Templates are positional: {1} is the title; the "digest" template also gets {2}, the count
    (Tencent refuses a parameter list longer than the template's variables)."""

    PULL_LIMIT = 100  # the API's maximum per pull
    PULL_PAGES = 20

    def __init__(self):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        key_id, secret = _setting("SMS_ACCESS_KEY_ID", ""), _setting("SMS_ACCESS_KEY_SECRET", "")
        if not key_id or not secret:
            raise ImproperlyConfigured("SMS_ACCESS_KEY_ID and SMS_ACCESS_KEY_SECRET must be set for SMS")
        self.app_id = str(_setting("SMS_SDK_APP_ID", "") or "")
        self.sign_name = _setting("SMS_SIGN_NAME", "")
        if not self.app_id or not self.sign_name:
            raise ImproperlyConfigured("SMS_SDK_APP_ID and SMS_SIGN_NAME must be set for Tencent Cloud SMS")
        timeout = max(1, (int(_setting("SMS_CONNECT_TIMEOUT_MS", 5000)) + int(_setting("SMS_READ_TIMEOUT_MS", 10000)))
                      // 1000)
        http = HttpProfile(protocol=_setting("SMS_PROTOCOL", "https") or "https",
                           endpoint=_setting("SMS_ENDPOINT", "") or "sms.tencentcloudapi.com",
                           reqMethod="POST", reqTimeout=timeout)
        # No region breaker: it would fail over to another Tencent endpoint than the one configured.
        profile = ClientProfile(signMethod="TC3-HMAC-SHA256", httpProfile=http, language="zh-CN",
                                disable_region_breaker=True)
        self.client = sms_client.SmsClient(credential.Credential(key_id, secret),
                                           _setting("SMS_REGION", "") or "ap-guangzhou", profile)

    def _call(self, method, request):
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

        try:
            return method(request)
        except TencentCloudSDKException as exc:
            message = exc.message.decode("utf-8", "replace") if isinstance(exc.message, bytes) else exc.message
            raise SmsError(tencent_error(exc.code or "", str(message or "")[:200], exc.requestId or ""))

    def send(self, *, phone: str, template: str, params: dict, out_id: str) -> SendResult:
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.SmsSdkAppId = self.app_id
        request.SignName = self.sign_name
        request.TemplateId = template
        request.PhoneNumberSet = [e164(phone)]
        digest = (_setting("SMS_TEMPLATES", {}) or {}).get("digest")
        request.TemplateParamSet = [params["title"], params["count"]] if template == digest else [params["title"]]
        request.SessionContext = out_id
        response = self._call(self.client.SendSms, request)
        [status] = response.SendStatusSet or [None]
        if status is None:
            raise SmsError(tencent_error("EmptySendStatusSet", "", response.RequestId or ""))
        if status.Code != "Ok":
            error = SmsRejected if status.Code in TENCENT_PERMANENT_CODES else SmsError
            raise error(tencent_error(status.Code or "", status.Message or "", response.RequestId or ""))
        return SendResult(biz_id=status.SerialNo or "", request_id=response.RequestId or "",
                          address=status.PhoneNumber or "")

    def reports(self, messages: list[dict]) -> dict[str, Report]:
        """The status queue: every receipt not pulled yet (each can be pulled once), by SerialNo."""
        from tencentcloud.sms.v20210111 import models

        found = {}
        for _page in range(self.PULL_PAGES):
            request = models.PullSmsSendStatusRequest()
            request.Limit = self.PULL_LIMIT
            request.SmsSdkAppId = self.app_id
            statuses = self._call(self.client.PullSmsSendStatus, request).PullSmsSendStatusSet or []
            for status in statuses:
                ok = status.ReportStatus == "SUCCESS"
                found[status.SerialNo] = Report(ReportStatus.DELIVERED if ok else ReportStatus.UNDELIVERED,
                                                status.Description or ("DELIVRD" if ok else ""))
            if len(statuses) < self.PULL_LIMIT:
                break
        return found


_PROVIDERS = {"aliyun": AliyunSms, "tencent": TencentSms}


def provider():
    name = _setting("SMS_PROVIDER", "")
    if name not in _PROVIDERS:
        raise ImproperlyConfigured("SMS_PROVIDER must be one of: " + ", ".join(sorted(_PROVIDERS)))
    return _PROVIDERS[name]()


# --- the channel -------------------------------------------------------------------------------

def phone_of(user) -> str:
    """The user's mobile number: their account's, else the one in their member record (委员 are
    often entered from the directory with a phone and no account phone). The member record is
    reached through the reverse accessor, so this app still imports nothing of members."""
    raw = getattr(user, "phone", "") or ""
    if not raw:
        try:
            raw = getattr(user.member, "phone", "") or ""
        except (AttributeError, ObjectDoesNotExist):
            raw = ""
    return "".join(ch for ch in raw if ch.isdigit() or ch == "+")


def opted_out(user) -> bool:
    return ChannelOptOut.objects.filter(user_id=user.pk, channel=CODE).exists()


class SmsChannel(Channel):
    code = CODE
    label = gettext_lazy("SMS")

    def hold_until(self, *, notification, now):
        if notification.kind in urgent_kinds():
            return None
        return quiet_until(now)

    def batch_q(self, *, user, notification):
        from django.db.models import Q

        if notification.kind in urgent_kinds() or not phone_of(user):
            return None
        exclude = urgent_kinds()
        q = ~Q(notification__kind__in=exclude)
        if opted_out(user):
            if not cannot_opt_out(notification.kind):
                return None
            q &= Q(notification__kind__in=mandatory_kinds() | {k.kind for k in kinds.all_kinds() if k.mandatory})
        return q

    def send(self, *, delivery, notification, user, batch=()) -> bool | Receipt:
        phone = phone_of(user)
        if not phone:
            return False
        if not cannot_opt_out(notification.kind) and opted_out(user):
            return False
        today = timezone.localdate()
        items = [notification, *batch]
        grouped = len(items) > 1
        # A grouped message names the most pressing item: the earliest deadline, else the oldest.
        first = min(items, key=lambda n: (n.due is None, n.due or today, n.created_at, n.pk))
        params = {"title": titled(first, today), "count": str(len(items))}
        if notification.kind == kinds.DIGEST_KIND:
            params["count"] = str(notification.items.count() or 1)
        try:
            result = provider().send(phone=phone, template=template_for(notification.kind, grouped=grouped),
                                     params=params, out_id=delivery.idempotency_key)
        except SmsRejected as exc:
            log.warning("SMS for delivery %s rejected: %s", delivery.pk, exc)
            Delivery.objects.filter(pk=delivery.pk).update(last_error=str(exc)[:2000])
            return False
        return Receipt(provider_id=result.biz_id, request_id=result.request_id, address=result.address or phone)


register_channel(SmsChannel())


# --- delivery reports --------------------------------------------------------------------------

REPORT_GIVE_UP = datetime.timedelta(days=3)


def record_reports(*, now: datetime.datetime | None = None, limit: int = 500) -> dict:
    """Record what became of sent SMS without a report yet: Aliyun is asked once per message
    (deliveries sent together share the provider id), Tencent's status queue is pulled. Older
    than three days: no report (a receipt pulled later still replaces it)."""
    now = now or timezone.now()
    counts = {"delivered": 0, "undelivered": 0, "waiting": 0, "unknown": 0}
    base = Delivery.objects.filter(channel=CODE, status=DeliveryStatus.SENT, report="").exclude(provider_id="")
    counts["unknown"] = base.filter(sent_at__lt=now - REPORT_GIVE_UP).update(report=ReportStatus.UNKNOWN,
                                                                              reported_at=now)
    messages, seen = [], set()
    for row in base.order_by("sent_at", "pk").values("provider_id", "address", "sent_at")[:limit]:
        if row["provider_id"] not in seen:
            seen.add(row["provider_id"])
            messages.append(row)
    if not messages:
        return counts
    found = provider().reports(messages)
    for provider_id, report in found.items():
        updated = Delivery.objects.filter(channel=CODE, provider_id=provider_id,
                                          report__in=["", ReportStatus.UNKNOWN]).update(
            report=report.status, report_code=report.code[:60], reported_at=now)
        if updated:
            counts[report.status] += 1
    counts["waiting"] = len(seen - set(found))
    return counts


# --- the user's choice -------------------------------------------------------------------------

def sms_opt_out_set(*, user, opted_out_: bool) -> bool:
    """Refuse or accept SMS (audited). Kinds that cannot be refused still come by SMS."""
    with transaction.atomic():
        existing = ChannelOptOut.objects.select_for_update().filter(user=user, channel=CODE).first()
        if opted_out_ and existing is None:
            row = ChannelOptOut.objects.create(user=user, channel=CODE)
            audit_log(actor=user, action="notifications.sms_opt_out", target=row,
                      before={"sms": True}, after={"sms": False})
        elif not opted_out_ and existing is not None:
            audit_log(actor=user, action="notifications.sms_opt_in", target=existing,
                      before={"sms": False}, after={"sms": True})
            existing.delete()
    return opted_out_


def sms_exempt_kinds() -> list:
    """The kinds that reach a user by SMS even when they refused SMS (for the settings page)."""
    return [k for k in kinds.all_kinds() if cannot_opt_out(k.kind)]


def describe_configuration_problems() -> list[str]:
    """For the system check: what keeps SMS from working when it is switched on."""
    problems = []
    if CODE not in _setting("NOTIFICATIONS_CHANNELS", ["email"]):
        return problems
    name = _setting("SMS_PROVIDER", "")
    if name not in _PROVIDERS:
        problems.append(_("SMS_PROVIDER must be one of: %(names)s") % {"names": ", ".join(sorted(_PROVIDERS))})
    required = ["SMS_ACCESS_KEY_ID", "SMS_ACCESS_KEY_SECRET", "SMS_SIGN_NAME"]
    if name == "tencent":
        required.append("SMS_SDK_APP_ID")
    for setting in required:
        if not _setting(setting, ""):
            problems.append(_("%(name)s must be set") % {"name": setting})
    templates = _setting("SMS_TEMPLATES", {}) or {}
    if not templates.get("default"):
        problems.append(_("SMS_TEMPLATES needs a \"default\" template code"))
    if name == "tencent":
        if any(not str(code).isdigit() for code in templates.values()):
            problems.append(_("SMS_TEMPLATES for Tencent Cloud SMS are numeric template ids, e.g. \"1234567\""))
        if _setting("SMS_SDK_APP_ID", "") and not str(_setting("SMS_SDK_APP_ID")).isdigit():
            problems.append(_("SMS_SDK_APP_ID is the numeric SmsSdkAppId, e.g. 1400006666"))
    try:
        quiet_hours()
    except ValueError:
        problems.append(_("SMS_QUIET_HOURS must look like 21:00-08:00"))
    return problems
