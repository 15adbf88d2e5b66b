"""The embedded cluster: idempotent start, durable stop/start, one-line reasons on trouble."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from gis_api.cli import app
from gis_db import embedded
from gis_db.embedded import SERVER_USER, EmbeddedCluster, free_port, is_root
from gis_db.errors import EmbeddedDbError
from gis_db.settings import DbSettings


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    tmp = Path(tempfile.mkdtemp(prefix="phananh-embedded-"))
    if is_root():
        user = pwd.getpwnam(SERVER_USER)
        os.chown(tmp, user.pw_uid, user.pw_gid)
    yield tmp
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster(workdir: Path) -> Iterator[EmbeddedCluster]:
    settings = DbSettings(_env_file=None, dir=workdir / "pg", port=free_port())
    c = EmbeddedCluster(settings, fast=True)
    yield c
    c.destroy()


def test_start_is_idempotent(cluster):
    first = cluster.start()
    second = cluster.start()
    assert first.startswith("started")
    assert second.startswith("already running")
    assert cluster.status().running


def test_database_has_postgis(cluster):
    cluster.start()
    with psycopg.connect(cluster.settings.url) as conn:
        version = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
    assert version.startswith("3.")


def test_stop_then_start_keeps_data(cluster):
    cluster.start()
    with psycopg.connect(cluster.settings.url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS kept (v text)")
        conn.execute("INSERT INTO kept VALUES ('phường Bến Nghé')")
    assert cluster.stop() == "stopped"
    assert not cluster.status().running
    assert cluster.stop() == "not running"
    cluster.start()
    with psycopg.connect(cluster.settings.url) as conn:
        assert conn.execute("SELECT v FROM kept").fetchall() == [("phường Bến Nghé",)]


def test_stale_pid_file_is_cleared(cluster):
    cluster.start()
    cluster.stop()
    pidfile = cluster.dir / "postmaster.pid"
    pidfile.write_text("999999\n")  # no such process
    message = cluster.start()
    assert "stale" in message
    assert cluster.status().running


def test_port_in_use_is_a_one_line_reason(workdir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        settings = DbSettings(_env_file=None, dir=workdir / "other", port=port)
        with pytest.raises(EmbeddedDbError) as err:
            EmbeddedCluster(settings).start()
    message = str(err.value)
    assert f"port {port}" in message and "PHANANH_DB_PORT" in message
    assert "\n" not in message


def test_missing_binaries_name_the_fix(monkeypatch, tmp_path):
    monkeypatch.setattr(embedded, "PG_MAJOR", 99)
    monkeypatch.setattr(embedded.shutil, "which", lambda _name: None)
    with pytest.raises(EmbeddedDbError) as err:
        embedded.find_bindir(tmp_path)
    assert "apt-get install" in str(err.value)


def test_missing_postgis_names_the_command(monkeypatch):
    monkeypatch.setattr(embedded, "postgis_installed", lambda _bindir: False)
    with pytest.raises(EmbeddedDbError) as err:
        embedded.ensure_server_installed(DbSettings(_env_file=None), install=False)
    assert "postgresql-15-postgis-3" in str(err.value)


def test_external_database_starts_nothing(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example:5432/x")
    with pytest.raises(EmbeddedDbError, match="DATABASE_URL"):
        EmbeddedCluster(DbSettings(_env_file=None))


def test_cli_start_twice_status_stop(workdir, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    env = {"PHANANH_DB_DIR": str(workdir / "cli"), "PHANANH_DB_PORT": str(free_port())}
    runner = CliRunner()
    try:
        for _ in range(2):
            result = runner.invoke(app, ["db", "start"], env=env)
            assert result.exit_code == 0, result.output
        status = runner.invoke(app, ["db", "status"], env=env)
        assert status.exit_code == 0 and "running" in status.output
        assert runner.invoke(app, ["db", "stop"], env=env).exit_code == 0
        stopped = runner.invoke(app, ["db", "status"], env=env)
        assert stopped.exit_code == 3 and "stopped" in stopped.output
    finally:
        runner.invoke(app, ["db", "stop"], env=env)
