"""ETL settings (env prefix ``PHANANH_ETL_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent


class EtlSettings(BaseSettings):
    """How complaints are validated, located and indexed."""

    model_config = SettingsConfigDict(env_prefix="PHANANH_ETL_", env_file=".env", extra="ignore")

    taxonomy: Path = Field(
        default=PACKAGE_DIR / "taxonomy.yaml",
        description="YAML list of fields (lĩnh vực) and categories with their SLA.",
    )
    timezone: str = Field(
        default="Asia/Ho_Chi_Minh", description="Zone of timestamps that carry no offset."
    )
    snap_tolerance_m: float = Field(
        default=200.0,
        ge=0,
        description="Points this close to a unit (but outside every unit) snap to it, flagged.",
    )
    placeholder_min_repeats: int = Field(
        default=25,
        ge=2,
        description="A coordinate repeated this often in a batch is a form default, not a place.",
    )
    earliest_date: str = Field(
        default="2000-01-01", description="Received dates before this are impossible."
    )
    future_tolerance_hours: float = Field(
        default=24.0, ge=0, description="How far past the load time a timestamp may lie."
    )
    crash_at: str | None = Field(
        default=None,
        description="Testing aid: kill the process (SIGKILL) when the batch reaches this stage.",
    )
    bulk_min_rows: int = Field(
        default=100_000,
        ge=0,
        description="Batches inserting at least this many rows (and bulk_ratio of the table) "
        "rebuild the spatial indexes of complaint instead of growing them.",
    )
    bulk_ratio: float = Field(default=0.2, ge=0)
    work_mem: str = Field(
        default="512MB", description="PostgreSQL work_mem for the batch transaction."
    )
