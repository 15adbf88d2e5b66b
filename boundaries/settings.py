"""Settings of the boundaries package (env prefix ``PHANANH_``)."""

from __future__ import annotations

from pathlib import Path

import pooch
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BoundarySettings(BaseSettings):
    """Where catalog data comes from."""

    model_config = SettingsConfigDict(env_prefix="PHANANH_", env_file=".env", extra="ignore")

    data_dir: Path | None = Field(
        default=None, description="Local mirror of the data files (air-gapped deployments)."
    )
    data_url: str | None = Field(
        default=None,
        description="HTTP mirror with the same layout, for files without a public origin.",
    )
    cache_dir: Path = Field(
        default_factory=lambda: Path(pooch.os_cache("phananh")),
        description="Where downloaded files are kept.",
    )
