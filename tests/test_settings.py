"""Database settings: the embedded default, DATABASE_URL, derived URLs."""

from gis_db.settings import DbSettings


def test_embedded_by_default(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PHANANH_DB_PORT", "5999")
    settings = DbSettings(_env_file=None)
    assert settings.embedded
    assert settings.url == "postgresql://phananh@127.0.0.1:5999/phananh"
    assert settings.dir.parts[-2:] == (".data", "postgres")


def test_database_url_wins(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p%40ss@db:5432/gis")
    settings = DbSettings(_env_file=None)
    assert not settings.embedded
    assert settings.url == "postgresql://u:p%40ss@db:5432/gis"
    assert settings.sqlalchemy_url == "postgresql+psycopg://u:p%40ss@db:5432/gis"


def test_with_database_keeps_server_and_credentials(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:secret@db:5432/gis")
    other = DbSettings(_env_file=None).with_database("postgres")
    assert other.url == "postgresql://u:secret@db:5432/postgres"
