"""Database settings (env prefix ``PHANANH_DB_``; ``DATABASE_URL`` unprefixed)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


def project_home() -> Path:
    """Folder that holds ``.data/``: the source checkout when installed from one, else the cwd."""
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").is_file():
        return checkout
    return Path.cwd()


class DbSettings(BaseSettings):
    """Where the database is, and how the embedded cluster runs when none is given."""

    model_config = SettingsConfigDict(env_prefix="PHANANH_DB_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "PHANANH_DB_DATABASE_URL"),
        description="External PostGIS; when set, nothing is started locally.",
    )
    dir: Path = Field(default_factory=lambda: project_home() / ".data" / "postgres")
    host: str = "127.0.0.1"
    port: int = Field(default=5434, ge=1, le=65535)
    name: str = "phananh"
    user: str = "phananh"
    pg_bindir: Path | None = Field(
        default=None, description="PostgreSQL server binaries; found automatically when unset."
    )
    pool_min: int = Field(default=1, ge=0)
    pool_max: int = Field(default=8, ge=1)
    statement_timeout_ms: int = Field(default=30_000, ge=0)

    @property
    def embedded(self) -> bool:
        """True when the project-local cluster is the database."""
        return not self.database_url

    @property
    def url(self) -> str:
        """libpq URL of the database in use."""
        if self.database_url:
            return self.database_url
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.name}"

    def with_database(self, name: str) -> DbSettings:
        """The same server, another database."""
        url = make_url(self.url).set(database=name).render_as_string(hide_password=False)
        return self.model_copy(update={"database_url": url})

    @property
    def sqlalchemy_url(self) -> str:
        """The same URL for SQLAlchemy/GeoAlchemy2 with the psycopg 3 driver."""
        scheme, _, rest = self.url.partition("://")
        return f"postgresql+psycopg://{rest}"
