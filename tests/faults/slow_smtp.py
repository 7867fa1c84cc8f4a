"""A minimal SMTP server on 127.0.0.1 for the e-mail fault test: it records every message it
received completely (up to the final ".") with its Message-ID — as a real server does once the
data is complete — and can be slow at two points, chosen by recipient:

- `slow_after_data`: the message is complete and recorded, then the 250 reply waits (the window
  in which a killed sender used to resend and duplicate);
- `slow_before_data`: the 354 reply to DATA waits (a sender killed there never completed the
  transaction; the server drops the partial message).

While it is slow for a recipient it writes that address into `waiting`, so the test knows when
to kill the worker."""

import re
import socketserver
import threading
import time


class SlowSMTP:
    def __init__(self, *, delay=3.0):
        self.delay = delay
        self.slow_after_data: set[str] = set()
        self.slow_before_data: set[str] = set()
        self.received: list[tuple[str, str]] = []  # (recipient, Message-ID)
        self.waiting: set[str] = set()
        self.lock = threading.Lock()
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                write = self.wfile.write
                write(b"220 slow-smtp ready\r\n")
                rcpt = ""
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    cmd = line.decode("latin-1").strip()
                    upper = cmd.upper()
                    if upper.startswith(("EHLO", "HELO")):
                        write(b"250 slow-smtp\r\n")
                    elif upper.startswith("MAIL FROM"):
                        rcpt = ""
                        write(b"250 ok\r\n")
                    elif upper.startswith("RCPT TO"):
                        rcpt = cmd.split(":", 1)[1].strip().strip("<>")
                        write(b"250 ok\r\n")
                    elif upper == "DATA":
                        if rcpt in server.slow_before_data:
                            server._wait(rcpt)
                        write(b"354 go ahead\r\n")
                        lines = []
                        while True:
                            data = self.rfile.readline()
                            if not data:
                                return  # connection dropped mid-message: nothing was received
                            if data == b".\r\n":
                                break
                            lines.append(data)
                        body = b"".join(lines).decode("utf-8", "replace")
                        match = re.search(r"^Message-ID:\s*(\S+)", body, re.M | re.I)
                        with server.lock:
                            server.received.append((rcpt, match.group(1) if match else ""))
                        if rcpt in server.slow_after_data:
                            server._wait(rcpt)
                        write(b"250 queued\r\n")
                    elif upper == "QUIT":
                        write(b"221 bye\r\n")
                        return
                    elif upper in ("RSET", "NOOP"):
                        write(b"250 ok\r\n")
                    else:
                        write(b"502 not implemented\r\n")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _wait(self, rcpt):
        with self.lock:
            self.waiting.add(rcpt)
        time.sleep(self.delay)
        with self.lock:
            self.waiting.discard(rcpt)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
