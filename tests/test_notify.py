"""Notifiers against real servers: an SMTP server (aiosmtpd), an HTTP endpoint standing for a
webhook and an SMS gateway, and the file and standard-output notifiers."""

from __future__ import annotations

import email
import io
import json
import threading
from collections.abc import Iterator
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler

from analytics.digest_messages import load_contacts
from analytics.notify import (
    FileNotifier,
    Message,
    NotifyError,
    StdoutNotifier,
    notifier,
)
from analytics.settings import AnalyticsSettings
from analytics.sms import LIMITS, sms, units
from gis_db.embedded import free_port

TEXT = "[PAKN 1022] Tuần 2025-W23, P. Bến Nghé: tiếp nhận 1.234; tỷ lệ đúng hạn 98,4%. " * 3
HTML = "<p>Tổng hợp <b>1.234</b></p>"


def _message(**extra) -> Message:
    values = {"name": "2025-W23-ward-26740", "subject": "Tổng hợp – Tuần 2025-W23",
              "text": TEXT, "html": HTML, "sms": sms(TEXT), "data": {"received": 1234}}  # fmt: skip
    return Message(**(values | extra))


class _Inbox(MessageHandler):
    def __init__(self) -> None:
        super().__init__()
        self.mails: list[email.message.EmailMessage] = []

    def handle_message(self, message) -> None:  # noqa: ANN001
        self.mails.append(email.message_from_string(message.as_string(), policy=policy.default))


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def http() -> Iterator[tuple[list, str, dict]]:
    """An HTTP endpoint recording JSON bodies and headers; `state['status']` is its reply."""
    received: list[tuple[dict, dict]] = []
    state = {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((body, dict(self.headers)))
            self.send_response(state["status"])
            self.end_headers()

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield received, f"http://127.0.0.1:{server.server_address[1]}/hook", state
    finally:
        server.shutdown()


def test_smtp_sends_text_and_html(smtp):
    inbox, port = smtp
    settings = AnalyticsSettings(_env_file=None, smtp_host="127.0.0.1", smtp_port=port,
                                 smtp_starttls=False, smtp_sender="pakn@example.vn")  # fmt: skip
    notifier("smtp", settings).send(_message(to=("a@example.vn", "0901234567", "b@example.vn")))
    (mail,) = inbox.mails
    assert mail["Subject"] == "Tổng hợp – Tuần 2025-W23"
    assert mail["To"] == "a@example.vn, b@example.vn"  # the phone number is not an address
    assert mail.get_body(("plain",)).get_content().strip() == TEXT.strip()
    assert mail.get_body(("html",)).get_content().strip() == HTML


def test_smtp_failures_are_reported(smtp):
    _, port = smtp
    settings = AnalyticsSettings(_env_file=None, smtp_host="127.0.0.1", smtp_port=port,
                                 smtp_starttls=False)  # fmt: skip
    with pytest.raises(NotifyError, match="no e-mail address"):
        notifier("smtp", settings).send(_message(to=("0901234567",)))
    closed = AnalyticsSettings(_env_file=None, smtp_host="127.0.0.1", smtp_port=1,
                               smtp_starttls=False, timeout_s=2)  # fmt: skip
    with pytest.raises(NotifyError, match="SMTP 127.0.0.1:1"):
        notifier("smtp", closed).send(_message(to=("a@example.vn",)))
    with pytest.raises(ValueError, match="SMTP_HOST"):
        notifier("smtp", AnalyticsSettings(_env_file=None))


def test_webhook_posts_the_message(http):
    received, url, state = http
    settings = AnalyticsSettings(_env_file=None, webhook_url=url, webhook_token="s3cret")
    notifier("webhook", settings).send(_message(to=("a@example.vn",)))
    ((body, headers),) = received
    assert headers["Authorization"] == "Bearer s3cret"
    assert body["subject"] == "Tổng hợp – Tuần 2025-W23"
    assert body["data"] == {"received": 1234}
    assert body["sms"]["segments"] == list(sms(TEXT).segments)
    state["status"] = 500
    with pytest.raises(NotifyError, match="500"):
        notifier("webhook", settings).send(_message())


def test_sms_gateway_gets_one_request_per_phone(http):
    received, url, _ = http
    settings = AnalyticsSettings(_env_file=None, sms_gateway_url=url, sms_sender="PAKN1022")
    notifier("sms", settings).send(_message(to=("0901234567", "x@example.vn", "+84912345678")))
    assert [b["to"] for b, _ in received] == ["0901234567", "+84912345678"]
    for body, _ in received:
        assert body["sender"] == "PAKN1022"
        assert body["encoding"] == "gsm7"
        assert "".join(body["segments"]) == body["text"]
        assert all(units(s, "gsm7") <= LIMITS["gsm7"][1] for s in body["segments"])
    with pytest.raises(NotifyError, match="no SMS text"):
        notifier("sms", settings).send(_message(sms=None, to=("0901234567",)))


def test_file_and_stdout(tmp_path):
    FileNotifier(tmp_path).send(_message())
    names = sorted(p.name for p in tmp_path.iterdir())
    stem = "2025-W23-ward-26740"
    assert names == [f"{stem}.html", f"{stem}.json", f"{stem}.sms.json", f"{stem}.txt"]
    assert json.loads((tmp_path / f"{stem}.sms.json").read_text())["text"] == sms(TEXT).text
    out = io.StringIO()
    StdoutNotifier(out).send(_message())
    lines = out.getvalue().splitlines()
    assert len(lines) == len(sms(TEXT).segments) and lines[0].startswith("[1/")
    out = io.StringIO()
    StdoutNotifier(out).send(_message(sms=None, html=None))
    assert json.loads(out.getvalue()) == {"received": 1234}
    with pytest.raises(ValueError, match="unknown notifier"):
        notifier("pigeon")  # type: ignore[arg-type]


def test_contacts_file(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(
        "scope,code,email,phone\nunit,A,a@example.vn,0901234567\nward,26740,,0912345678\n",
        encoding="utf-8",
    )
    assert load_contacts(path) == {
        ("unit", "A"): ["a@example.vn", "0901234567"],
        ("ward", "26740"): ["0912345678"],
    }
    path.write_text("scope,code\ndistrict,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="scope must be"):
        load_contacts(path)
