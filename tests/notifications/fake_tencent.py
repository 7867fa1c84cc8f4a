"""A local fake of Tencent Cloud SMS (API 2021-01-11) for the tests: a threaded HTTP server
answering the JSON POSTs the real SDK sends (TC3-HMAC-SHA256 signed; the signature is not
verified, but the SecretId in the `Authorization` credential, the action, version, region and the
JSON body are read as Tencent reads them) with Tencent's response shapes, including its error
format `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`. The real SDK talks to it
(SMS_ENDPOINT = 127.0.0.1:port, SMS_PROTOCOL = http); nothing is mocked.

    fake.sent           # every accepted number: phone, sign, template, params, app_id, session, serial_no
    fake.fail_next(2)   # the next two SendSms answer HTTP 503
    fake.refuse_next("LimitExceeded.PhoneNumberThirtySecondLimit")  # a per-number Code in SendStatusSet
    fake.error_next("AuthFailure.SecretIdNotFound")  # a whole-request error (Response.Error)
    fake.report(serial_no, "SUCCESS", "DELIVRD")  # queued for PullSmsSendStatus (pulled once)
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION = "2021-01-11"
# What Tencent answers for the codes the fake can be told to give (its own Chinese messages).
MESSAGES = {
    "LimitExceeded.PhoneNumberThirtySecondLimit": "单个手机号30秒内下发短信条数超过设定的上限",
    "LimitExceeded.PhoneNumberDailyLimit": "单个手机号日下发短信条数超过设定的上限",
    "InvalidParameterValue.IncorrectPhoneNumber": "手机号格式错误",
    "FailedOperation.TemplateIncorrectOrUnapproved": "模板未审批或内容不匹配",
    "AuthFailure.SecretIdNotFound": "SecretId不存在，请输入正确的密钥。",
    "FailedOperation.InsufficientBalanceInSmsPackage": "套餐包余量不足",
}
PHONE = re.compile(r"^\+\d{6,15}$")


class FakeTencentSms:
    def __init__(self, secret_id: str, app_id: str):
        self.secret_id = secret_id
        self.app_id = app_id
        self.sent: list[dict] = []
        self.requests: list[dict] = []
        self.pulls: list[dict] = []
        self._failures = 0
        self._refusals: list[str] = []
        self._errors: list[str] = []
        self._queue: list[dict] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, times: int = 1):
        self._failures += times

    def refuse_next(self, code: str):
        self._refusals.append(code)

    def error_next(self, code: str):
        self._errors.append(code)

    def report(self, serial_no: str, status: str = "SUCCESS", description: str = "DELIVRD"):
        sent = next(s for s in self.sent if s["serial_no"] == serial_no)
        self._queue.append({
            "UserReceiveTime": "2026-11-25 10:00:05", "CountryCode": "86",
            "SubscriberNumber": sent["phone"].removeprefix("+86"), "PhoneNumber": sent["phone"],
            "SerialNo": serial_no, "ReportStatus": status, "Description": description,
            "SessionContext": sent["session"],
        })

    # --- the API ---------------------------------------------------------------------------

    @staticmethod
    def _error(code: str, message: str, request_id: str) -> dict:
        return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}

    def _answer(self, headers, body: dict) -> tuple[int, dict]:
        request_id = str(uuid.uuid4())
        auth = headers.get("Authorization", "")
        match = re.match(r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/sms/tc3_request, "
                         r"SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$", auth)
        if not match:
            return 200, self._error("AuthFailure.InvalidAuthorization", "Authorization 格式错误", request_id)
        if match.group(1) != self.secret_id:
            return 200, self._error("AuthFailure.SecretIdNotFound", MESSAGES["AuthFailure.SecretIdNotFound"],
                                    request_id)
        action, version = headers.get("X-TC-Action", ""), headers.get("X-TC-Version", "")
        if version != VERSION:
            return 200, self._error("InvalidParameter", f"不支持的版本 {version}", request_id)
        if not headers.get("X-TC-Region") or not headers.get("X-TC-Timestamp", "").isdigit():
            return 200, self._error("MissingParameter", "缺少 X-TC-Region 或 X-TC-Timestamp", request_id)
        with self._lock:
            self.requests.append({"action": action, "language": headers.get("X-TC-Language", ""), **body})
            if body.get("SmsSdkAppId") != self.app_id:
                return 200, self._error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId不存在", request_id)
            if action == "SendSms":
                return self._send(body, request_id)
            if action == "PullSmsSendStatus":
                self.pulls.append(body)
                limit = int(body.get("Limit") or 0)
                if not 1 <= limit <= 100:
                    return 200, self._error("InvalidParameterValue", "Limit 取值范围 1-100", request_id)
                taken, self._queue = self._queue[:limit], self._queue[limit:]
                return 200, {"Response": {"PullSmsSendStatusSet": taken, "RequestId": request_id}}
        return 200, self._error("InvalidAction", f"接口 {action} 不存在", request_id)

    def _send(self, body: dict, request_id: str) -> tuple[int, dict]:
        if self._failures:
            self._failures -= 1
            return 503, {"message": "Service Unavailable"}
        if self._errors:
            code = self._errors.pop(0)
            return 200, self._error(code, MESSAGES.get(code, "refused by the fake"), request_id)
        for name in ("PhoneNumberSet", "TemplateId", "SmsSdkAppId"):
            if not body.get(name):
                return 200, self._error("MissingParameter", f"缺少参数 {name}", request_id)
        params = body.get("TemplateParamSet") or []
        if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
            return 200, self._error("InvalidParameterValue.TemplateParameterFormatError", "模板参数格式错误",
                                    request_id)
        statuses = []
        for phone in body["PhoneNumberSet"]:
            if self._refusals:
                code = self._refusals.pop(0)
                statuses.append({"SerialNo": "", "PhoneNumber": phone, "Fee": 0,
                                 "SessionContext": body.get("SessionContext", ""), "Code": code,
                                 "Message": MESSAGES.get(code, "refused by the fake"), "IsoCode": "CN"})
                continue
            if not PHONE.match(phone):
                code = "InvalidParameterValue.IncorrectPhoneNumber"
                statuses.append({"SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": "",
                                 "Code": code, "Message": MESSAGES[code], "IsoCode": ""})
                continue
            serial_no = f"2433:{len(self.sent) + 337513100018072025:d}"
            self.sent.append({"phone": phone, "sign": body.get("SignName", ""), "template": body["TemplateId"],
                              "params": params, "app_id": body["SmsSdkAppId"],
                              "session": body.get("SessionContext", ""), "serial_no": serial_no})
            statuses.append({"SerialNo": serial_no, "PhoneNumber": phone, "Fee": 1,
                             "SessionContext": body.get("SessionContext", ""), "Code": "Ok",
                             "Message": "send success", "IsoCode": "CN"})
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": request_id}}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if not self.headers.get("Content-Type", "").startswith("application/json"):
                    status, body = 200, fake._error("InvalidParameter", "只接受 JSON 请求", str(uuid.uuid4()))
                else:
                    status, body = fake._answer(self.headers, json.loads(raw or b"{}"))
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler
