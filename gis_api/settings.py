"""API settings (env prefix ``PHANANH_API_``)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """How the API presents itself."""

    model_config = SettingsConfigDict(env_prefix="PHANANH_API_", env_file=".env", extra="ignore")

    title: str = "phananh – Bản đồ phản ánh, kiến nghị TP.HCM"
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: list[str] = []
    statement_timeout_ms: int = 5_000  # longest query of any request (then 503)
