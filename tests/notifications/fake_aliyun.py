"""A local fake of Aliyun's SMS API (Dysmsapi 2017-05-25, RPC style) for the tests: a threaded
HTTP server answering SendSms and QuerySendDetails with the provider's response shapes. The
real SDK talks to it (SMS_ENDPOINT = 127.0.0.1:port, SMS_PROTOCOL = http); nothing is mocked.

    fake.sent           # every accepted SendSms: phone, sign, template, params, out_id, biz_id
    fake.fail_next(2)   # the next two SendSms answer HTTP 503 ServiceUnavailable
    fake.refuse_next("isv.BUSINESS_LIMIT_CONTROL")  # a business error in a 200 answer
    fake.report(biz_id, 3, "DELIVERED")  # the receipt QuerySendDetails returns (1 waiting, 2 failed, 3 ok)
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeAliyunSms:
    def __init__(self, access_key_id: str):
        self.access_key_id = access_key_id
        self.sent: list[dict] = []
        self.queries: list[dict] = []
        self.requests: list[dict] = []
        self._failures = 0
        self._refusals: list[str] = []
        self._reports: dict[str, tuple[int, str]] = {}
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

    def report(self, biz_id: str, status: int, err_code: str = ""):
        self._reports[biz_id] = (status, err_code)

    # --- the API ---------------------------------------------------------------------------

    def _answer(self, action: str, params: dict, headers) -> tuple[int, dict]:
        request_id = str(uuid.uuid4()).upper()
        auth = headers.get("Authorization", "")
        if f"Credential={self.access_key_id}," not in auth:
            return 403, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found.",
                         "RequestId": request_id}
        with self._lock:
            self.requests.append({"action": action, **params})
            if action == "SendSms":
                if self._failures:
                    self._failures -= 1
                    return 503, {"Code": "ServiceUnavailable", "Message": "The request has failed due to a "
                                 "temporary failure of the server.", "RequestId": request_id}
                if self._refusals:
                    code = self._refusals.pop(0)
                    return 200, {"Code": code, "Message": "refused by the fake", "RequestId": request_id}
                for name in ("PhoneNumbers", "SignName", "TemplateCode"):
                    if not params.get(name):
                        return 400, {"Code": "MissingParameter", "Message": f"{name} is mandatory",
                                     "RequestId": request_id}
                biz_id = f"{len(self.sent) + 900619746936:d}^0"
                self.sent.append({
                    "phone": params["PhoneNumbers"], "sign": params["SignName"], "template": params["TemplateCode"],
                    "params": json.loads(params.get("TemplateParam") or "{}"), "out_id": params.get("OutId", ""),
                    "biz_id": biz_id,
                })
                return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id}
            if action == "QuerySendDetails":
                self.queries.append(params)
                found = [s for s in self.sent if s["biz_id"] == params.get("BizId")
                         and s["phone"] == params.get("PhoneNumber")]
                details = []
                for s in found:
                    status, err = self._reports.get(s["biz_id"], (1, ""))
                    details.append({"PhoneNum": s["phone"], "SendStatus": status, "ErrCode": err,
                                    "TemplateCode": s["template"], "Content": f"【{s['sign']}】{s['params']}",
                                    "SendDate": "2026-11-25 08:00:01",
                                    "ReceiveDate": "2026-11-25 08:00:05" if status != 1 else "",
                                    "OutId": s["out_id"]})
                return 200, {"Code": "OK", "Message": "OK", "RequestId": request_id, "TotalCount": len(details),
                             "SmsSendDetailDTOs": {"SmsSendDetailDTO": details}}
        return 404, {"Code": "InvalidAction.NotFound", "Message": f"Unknown action {action}", "RequestId": request_id}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    query.update({k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()})
                action = self.headers.get("x-acs-action") or query.get("Action", "")
                status, body = fake._answer(action, query, self.headers)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args):
                pass

        return Handler
