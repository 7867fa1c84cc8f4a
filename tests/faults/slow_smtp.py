"""A minimal SMTP server on 127.0.0.1 for the e-mail fault test: it records every message it
received completely (up to the final ".") with its Message-ID — as a real server does once the
data is complete — and can be slow at two points, chosen by the number of the DATA command:

- `after_data_at`: the message is complete and recorded, then the 250 reply waits (the window
  in which a killed sender used to resend and duplicate);
- `before_data_at`: the 354 reply to DATA waits (a sender killed there never completed the
  transaction; the server drops the partial message).

While it is slow it holds the recipient in `waiting`, so the test knows when to kill the
worker."""

import re
import socketserver
import threading
import time


class SlowSMTP:
    def __init__(self, *, delay=3.0, after_data_at=0, before_data_at=0):
        self.delay = delay
        self.after_data_at, self.before_data_at = after_data_at, before_data_at
        self.data_commands = 0
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
                        with server.lock:
                            server.data_commands += 1
                            number = server.data_commands
                        if number == server.before_data_at:
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
                        if number == server.after_data_at:
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
