"""Analytics settings (env prefix ``PHANANH_ANALYTICS_``): where digests and reminders go."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class AnalyticsSettings(BaseSettings):
    """Delivery of digests and reminders: files, SMTP, a webhook, an SMS gateway."""

    model_config = SettingsConfigDict(
        env_prefix="PHANANH_ANALYTICS_", env_file=".env", extra="ignore"
    )

    outbox: Path = Path("outbox")  # the file notifier's folder
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_sender: str = "phananh@localhost"
    smtp_starttls: bool = True  # STARTTLS after connecting (port 587); off for a local relay
    smtp_ssl: bool = False  # TLS from the start (port 465)
    webhook_url: str | None = None  # receives each message as JSON
    webhook_token: SecretStr | None = None  # sent as a Bearer token
    sms_gateway_url: str | None = None  # receives one JSON request per phone number
    sms_gateway_token: SecretStr | None = None
    sms_sender: str = "PAKN1022"  # brand name shown to recipients
    sms_diacritics: bool = False  # UCS-2 with diacritics (70 per SMS) instead of GSM-7 (160)
    timeout_s: float = 10.0  # network timeout of SMTP, webhook and gateway calls
