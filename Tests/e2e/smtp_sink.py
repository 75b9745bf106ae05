"""A local SMTP sink (aiosmtpd) for the browser tests: the server sends its mail
here over real SMTP, and a test reads the codes out of it."""

import email
import email.policy
import re
import socket
import threading
import time

from aiosmtpd.controller import Controller


class SMTPSink:
    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def stop(self):
        self._controller.stop()

    def wait_for(self, to, subject, count=1, timeout=15):
        """The `count`-th message to `to` whose subject contains `subject`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [m for rcpts, m in self.messages
                         if to in rcpts and subject.lower() in str(m["Subject"]).lower()]
            if len(found) >= count:
                return found[count - 1]
            time.sleep(0.1)
        raise AssertionError(f"no mail #{count} to {to} about {subject!r}; "
                             f"have {[str(m['Subject']) for _, m in self.messages]}")

    @staticmethod
    def text(message):
        return message.get_body(("plain",)).get_content()

    @staticmethod
    def html(message):
        return message.get_body(("html",)).get_content()

    def code(self, to, subject, count=1):
        match = re.search(r"\b(\d{8})\b", self.text(self.wait_for(to, subject, count)))
        assert match, "the mail holds no 8-digit code"
        return match.group(1)
