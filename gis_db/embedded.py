"""A project-local PostgreSQL + PostGIS cluster, managed with the server's own tools.

PostgreSQL refuses to run as root, so when we are root every server command runs as the
``postgres`` system user (created by Debian's packages), which is given the data directory.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from gis_db.errors import EmbeddedDbError
from gis_db.settings import DbSettings

PG_MAJOR = 15
SERVER_USER = "postgres"
APT_PACKAGE = f"postgresql-{PG_MAJOR}-postgis-3"
INSTALL_HINT = f"apt-get update && apt-get install -y {APT_PACKAGE}"
# Settings for throwaway test clusters: durability is not wanted there, speed is.
FAST_OPTIONS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
# Memory and WAL sizing for bulk loads and analytical queries (every embedded cluster).
TUNED_OPTIONS = (
    "shared_buffers=512MB",
    "work_mem=64MB",
    "maintenance_work_mem=512MB",
    "max_wal_size=8GB",
    "checkpoint_timeout=30min",
    "jit=off",
    # No replication from a project-local cluster: index builds and new tables skip the WAL.
    "wal_level=minimal",
    "max_wal_senders=0",
)


def is_root() -> bool:
    """True when running with uid 0."""
    return os.geteuid() == 0


def find_bindir(configured: Path | None = None) -> Path:
    """Directory holding ``pg_ctl``/``initdb`` of PostgreSQL 15."""
    candidates = [configured] if configured else []
    candidates.append(Path(f"/usr/lib/postgresql/{PG_MAJOR}/bin"))
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    for bindir in candidates:
        if bindir and (bindir / "pg_ctl").is_file() and (bindir / "initdb").is_file():
            return bindir
    raise EmbeddedDbError(
        f"PostgreSQL {PG_MAJOR} server binaries (pg_ctl, initdb) not found; "
        f"install them with: {INSTALL_HINT} (or set PHANANH_DB_PG_BINDIR)"
    )


def postgis_installed(bindir: Path) -> bool:
    """True when the PostGIS extension files for this server are installed."""
    out = subprocess.run(
        [str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=False
    ).stdout
    major = out.split()[-1].split(".")[0] if out else str(PG_MAJOR)
    sharedirs = [Path(f"/usr/share/postgresql/{major}/extension")]
    pg_config = bindir / "pg_config"
    if pg_config.is_file():
        share = subprocess.run(
            [str(pg_config), "--sharedir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if share:
            sharedirs.insert(0, Path(share) / "extension")
    return any((d / "postgis.control").is_file() for d in sharedirs)


def ensure_server_installed(settings: DbSettings, install: bool = True) -> Path:
    """Make sure PostgreSQL 15 and PostGIS 3 are present; install them with apt-get as root."""
    try:
        bindir = find_bindir(settings.pg_bindir)
        if postgis_installed(bindir):
            return bindir
    except EmbeddedDbError:
        if not (install and is_root()):
            raise
    if not (install and is_root()):
        raise EmbeddedDbError(
            f"PostGIS 3 for PostgreSQL {PG_MAJOR} is missing; run: {INSTALL_HINT}"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", APT_PACKAGE]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
            raise EmbeddedDbError(f"`{' '.join(cmd)}` failed: {tail[0]}")
    bindir = find_bindir(settings.pg_bindir)
    if not postgis_installed(bindir):
        raise EmbeddedDbError(f"{APT_PACKAGE} installed but postgis.control is still missing")
    return bindir


def port_in_use(host: str, port: int) -> bool:
    """True when something accepts TCP connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class ClusterStatus:
    """What `phananh db status` reports."""

    running: bool
    pid: int | None
    dir: Path
    host: str
    port: int
    url: str
    log: Path


class EmbeddedCluster:
    """The cluster under ``settings.dir`` (or a fallback the server user can reach)."""

    def __init__(self, settings: DbSettings, *, fast: bool = False) -> None:
        if not settings.embedded:
            raise EmbeddedDbError(
                "DATABASE_URL is set: the external database is used and nothing is started"
            )
        self.settings = settings
        self.fast = fast
        self.dir = self._reachable_dir(settings.dir.resolve())
        self.log = self.dir.parent / f"{self.dir.name}.log"

    # -- paths and commands -------------------------------------------------
    def _reachable_dir(self, wanted: Path) -> Path:
        """`wanted`, or a stable folder under the server user's home when it cannot reach it."""
        if not is_root():
            return wanted
        probe = wanted
        while not probe.exists():
            probe = probe.parent
        ok = subprocess.run(
            ["runuser", "-u", SERVER_USER, "--", "test", "-x", str(probe)],
            capture_output=True,
            check=False,
        )
        if ok.returncode == 0:
            return wanted
        digest = hashlib.sha1(str(wanted).encode()).hexdigest()[:12]
        return Path(f"/var/lib/postgresql/phananh/{digest}/postgres")

    def _run(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = ["runuser", "-u", SERVER_USER, "--", *args] if is_root() else args
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if check and done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise EmbeddedDbError(f"{Path(args[0]).name} failed: {detail[-1] if detail else ''}")
        return done

    @property
    def socket_dir(self) -> Path:
        """Unix socket folder: the data folder unless its path is too long for a socket."""
        return self.dir if len(str(self.dir)) < 80 else Path("/tmp")

    @property
    def initialized(self) -> bool:
        """True when initdb has run here."""
        return (self.dir / "PG_VERSION").is_file()

    # -- lifecycle -----------------------------------------------------------
    def init(self, bindir: Path) -> None:
        """Create the cluster (once), owned by the server user when we are root."""
        if self.initialized:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        if is_root():
            if not _user_exists(SERVER_USER):
                raise EmbeddedDbError(
                    f"running as root needs the '{SERVER_USER}' system user; run: {INSTALL_HINT}"
                )
            shutil.chown(self.dir, SERVER_USER, SERVER_USER)
            shutil.chown(self.dir.parent, SERVER_USER, SERVER_USER)
        self.dir.chmod(0o700)
        self._run(
            [
                str(bindir / "initdb"),
                "-D",
                str(self.dir),
                "-U",
                self.settings.user,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
        )

    def pid(self) -> int | None:
        """Postmaster pid when the server runs, else None (a stale pid file reads as None)."""
        pidfile = self.dir / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return pid

    def status(self) -> ClusterStatus:
        """Current state, without changing anything."""
        s = self.settings
        pid = self.pid()
        return ClusterStatus(
            running=pid is not None,
            pid=pid,
            dir=self.dir,
            host=s.host,
            port=s.port,
            url=s.url,
            log=self.log,
        )

    def start(self, timeout: float = 60) -> str:
        """Start the server (idempotent) and make sure the database exists; returns a message."""
        s = self.settings
        bindir = ensure_server_installed(s, install=False)
        self.init(bindir)
        if self.pid() is not None:
            if not _accepts(s.host, s.port, timeout=10):
                raise EmbeddedDbError(
                    f"a server runs from {self.dir} but not on {s.host}:{s.port}; "
                    "run `phananh db stop` and start again"
                )
            self.create_database()
            return f"already running on {s.host}:{s.port} ({self.dir})"
        note = ""
        stale = self.dir / "postmaster.pid"
        if stale.exists():
            stale.unlink()
            note = " (removed a stale postmaster.pid left by a crash)"
        if port_in_use(s.host, s.port):
            raise EmbeddedDbError(
                f"port {s.port} on {s.host} is used by another program; stop it or choose "
                f"another port, e.g. PHANANH_DB_PORT={s.port + 1}"
            )
        options = [
            f"-c listen_addresses={s.host}",
            f"-p {s.port}",
            f"-k {self.socket_dir}",
            *(f"-c {o}" for o in TUNED_OPTIONS),
            *(f"-c {o}" for o in FAST_OPTIONS if self.fast),
        ]
        if is_root() and not self.log.exists():
            self.log.touch()
            shutil.chown(self.log, SERVER_USER, SERVER_USER)
        done = self._run(
            [
                str(bindir / "pg_ctl"),
                "start",
                "-w",
                "-t",
                str(int(timeout)),
                "-D",
                str(self.dir),
                "-l",
                str(self.log),
                "-o",
                " ".join(options),
            ],
            check=False,
        )
        if done.returncode != 0:
            raise EmbeddedDbError(f"the server did not start: {self._last_log_line()}")
        self.create_database()
        return f"started on {s.host}:{s.port} ({self.dir}){note}"

    def stop(self) -> str:
        """Stop the server if it runs (fast shutdown keeps committed data)."""
        if self.pid() is None:
            return "not running"
        bindir = find_bindir(self.settings.pg_bindir)
        self._run([str(bindir / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(self.dir)])
        return "stopped"

    def destroy(self) -> None:
        """Stop and delete the cluster (used for throwaway test clusters)."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.log.unlink(missing_ok=True)

    def create_database(self) -> None:
        """Create the project database with PostGIS enabled, if missing."""
        s = self.settings
        maintenance = f"postgresql://{s.user}@{s.host}:{s.port}/postgres"
        with psycopg.connect(maintenance, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [s.name]
            ).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(s.name)))
        with psycopg.connect(s.url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    def _last_log_line(self) -> str:
        try:
            lines = [ln for ln in self.log.read_text(errors="replace").splitlines() if ln.strip()]
        except OSError:
            return f"no log at {self.log}"
        return f"{lines[-1]} (log: {self.log})" if lines else f"see {self.log}"


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _accepts(host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_in_use(host, port):
            return True
        time.sleep(0.2)
    return False
