"""Notifiers: one interface (`send(message)`), several ways out: standard output, files,
SMTP (text and HTML), a webhook (JSON) and an SMS gateway (JSON per phone number, with the
segments already cut)."""

from __future__ import annotations

import json
import re
import smtplib
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Literal, Protocol, TextIO

import httpx

from analytics.settings import AnalyticsSettings
from analytics.sms import Sms

Kind = Literal["stdout", "file", "smtp", "webhook", "sms"]
PHONE = re.compile(r"^(\+84|0)\d{9,10}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class NotifyError(RuntimeError):
    """A message could not be delivered."""


@dataclass(frozen=True)
class Message:
    """One message in every form a channel may need; `name` names its files."""

    name: str
    subject: str
    text: str
    html: str | None = None
    sms: Sms | None = None
    data: dict | None = None
    to: tuple[str, ...] = field(default_factory=tuple)


class Notifier(Protocol):
    """Delivers messages."""

    def send(self, message: Message) -> None:
        """Deliver one message (NotifyError when it cannot)."""


class StdoutNotifier:
    """Prints the SMS segments, else the HTML, else the JSON, else the text."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: Message) -> None:
        """Print the message."""
        if message.sms is not None:
            count = len(message.sms.segments)
            for i, segment in enumerate(message.sms.segments, 1):
                print(f"[{i}/{count}] {segment}", file=self.stream)
        elif message.html is not None:
            print(message.html, file=self.stream)
        elif message.data is not None:
            print(_json(message.data), end="", file=self.stream)
        else:
            print(message.text, file=self.stream)


class FileNotifier:
    """Writes `<name>.txt`, and `.html`, `.json`, `.sms.json` when the message has them."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def send(self, message: Message) -> None:
        """Write the message's files."""
        self.directory.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", message.name)
        (self.directory / f"{stem}.txt").write_text(message.text + "\n", encoding="utf-8")
        if message.html is not None:
            (self.directory / f"{stem}.html").write_text(message.html, encoding="utf-8")
        if message.data is not None:
            (self.directory / f"{stem}.json").write_text(_json(message.data), encoding="utf-8")
        if message.sms is not None:
            sms = _json(message.sms.as_dict())
            (self.directory / f"{stem}.sms.json").write_text(sms, encoding="utf-8")


class SmtpNotifier:
    """E-mail with a plain-text part and, when there is one, an HTML alternative."""

    def __init__(self, settings: AnalyticsSettings) -> None:
        if not settings.smtp_host:
            raise ValueError("SMTP needs PHANANH_ANALYTICS_SMTP_HOST")
        self.settings = settings

    def send(self, message: Message) -> None:
        """Send to the message's e-mail addresses."""
        to = _recipients(message, EMAIL, "e-mail address")
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = self.settings.smtp_sender
        mail["To"] = ", ".join(to)
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain=self.settings.smtp_sender.rpartition("@")[2])
        mail.set_content(message.text)
        if message.html is not None:
            mail.add_alternative(message.html, subtype="html")
        s = self.settings
        connect = smtplib.SMTP_SSL if s.smtp_ssl else smtplib.SMTP
        try:
            with connect(s.smtp_host, s.smtp_port, timeout=s.timeout_s) as server:
                if s.smtp_starttls and not s.smtp_ssl:
                    server.starttls()
                if s.smtp_user:
                    password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                    server.login(s.smtp_user, password)
                server.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise NotifyError(f"SMTP {s.smtp_host}:{s.smtp_port}: {exc}") from exc


class WebhookNotifier:
    """POSTs the message as JSON: name, subject, text, html, sms, data, to."""

    def __init__(self, settings: AnalyticsSettings) -> None:
        if not settings.webhook_url:
            raise ValueError("a webhook needs PHANANH_ANALYTICS_WEBHOOK_URL")
        self.settings = settings

    def send(self, message: Message) -> None:
        """POST the message."""
        body = {
            "name": message.name,
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
            "sms": message.sms.as_dict() if message.sms else None,
            "data": message.data,
            "to": list(message.to),
        }
        _post(self.settings.webhook_url, body, self.settings.webhook_token, self.settings)


class SmsGatewayNotifier:
    """POSTs one JSON request per phone number to an SMS gateway: sender, to, text, encoding
    and the segments (so the gateway sends exactly what was counted)."""

    def __init__(self, settings: AnalyticsSettings) -> None:
        if not settings.sms_gateway_url:
            raise ValueError("an SMS gateway needs PHANANH_ANALYTICS_SMS_GATEWAY_URL")
        self.settings = settings

    def send(self, message: Message) -> None:
        """Send the SMS to each phone number."""
        if message.sms is None:
            raise NotifyError(f"{message.name}: no SMS text to send")
        for phone in _recipients(message, PHONE, "phone number"):
            body = {"sender": self.settings.sms_sender, "to": phone, **message.sms.as_dict()}
            _post(self.settings.sms_gateway_url, body, self.settings.sms_gateway_token,
                  self.settings)  # fmt: skip


def notifier(kind: Kind, settings: AnalyticsSettings | None = None) -> Notifier:
    """The notifier of a kind, configured from settings (ValueError when it is not)."""
    settings = settings or AnalyticsSettings()
    if kind == "stdout":
        return StdoutNotifier()
    if kind == "file":
        return FileNotifier(settings.outbox)
    makers = {"smtp": SmtpNotifier, "webhook": WebhookNotifier, "sms": SmsGatewayNotifier}
    if kind not in makers:
        raise ValueError(f"unknown notifier {kind!r}: stdout, file, smtp, webhook or sms")
    return makers[kind](settings)


def _recipients(message: Message, pattern: re.Pattern, what: str) -> list[str]:
    to = [t for t in message.to if pattern.match(t)]
    if not to:
        raise NotifyError(f"{message.name}: no {what} among the recipients")
    return to


def _post(url: str, body: dict, token: object, settings: AnalyticsSettings) -> None:
    headers = {"Authorization": f"Bearer {token.get_secret_value()}"} if token else {}
    try:
        response = httpx.post(url, json=body, headers=headers, timeout=settings.timeout_s)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise NotifyError(f"POST {url}: {exc}") from exc


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
