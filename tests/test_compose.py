"""Consistency of docker-compose.yml, the Dockerfile and the settings the code reads.

Nothing here needs Docker or a database: the files are parsed and cross-checked.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from gis_db.settings import DbSettings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

APP_SERVICES = ("migrate", "api")
_VAR = re.compile(r"\$\{(?P<name>\w+)(?::?-(?P<default>[^}]*))?\}")


# --- helpers ---------------------------------------------------------------------------------


def with_defaults(value: str) -> str:
    """Interpolate like Compose with an empty environment: ``${VAR:-default}`` -> ``default``."""
    return _VAR.sub(lambda m: m.group("default") or "", value)


def default_of(value: str) -> str:
    """The default of a value that is exactly one ``${VAR:-default}``."""
    match = _VAR.fullmatch(value)
    assert match, f"expected ${{VAR:-default}}, got {value!r}"
    assert match.group("default") is not None, f"{value!r} has no default"
    return match.group("default")


def env(service: dict) -> dict[str, str]:
    """A service's environment as a dict (Compose allows a mapping or a KEY=VALUE list)."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    return {key: str(value) for key, value in raw.items()}


def mounts(service: dict) -> list[tuple[str, str, str]]:
    """(source, target, mode) of each short-syntax volume; the source may contain ``:-``."""
    out = []
    for spec in service.get("volumes", []):
        assert isinstance(spec, str), "use the short volume syntax"
        parts = spec.rsplit(":", 2) if spec.endswith((":ro", ":rw")) else spec.rsplit(":", 1)
        source, target, *mode = parts
        out.append((source, target, mode[0] if mode else "rw"))
    return out


def published(service: dict) -> list[tuple[str, int, int]]:
    """(host_ip, host_port, container_port) of each short-syntax port mapping."""
    out = []
    for spec in service.get("ports", []):
        host_ip, host_port, container = str(spec).rsplit(":", 2)
        out.append((host_ip, int(host_port), int(container.split("/")[0])))
    return out


def depends_on(service: dict) -> dict[str, str]:
    """Dependency -> condition (the list form means service_started)."""
    raw = service.get("depends_on") or {}
    if isinstance(raw, list):
        return dict.fromkeys(raw, "service_started")
    return {name: spec.get("condition", "service_started") for name, spec in raw.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuation lines joined."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    out = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, args = line.strip().partition(" ")
            out.append((keyword.upper(), args.strip()))
    return out


def dockerfile_one(keyword: str) -> str:
    """Arguments of the last ``keyword`` instruction (the one that takes effect)."""
    found = [args for kw, args in dockerfile_instructions() if kw == keyword]
    assert found, f"Dockerfile has no {keyword}"
    return found[-1]


def dockerfile_env() -> dict[str, str]:
    """Variables set by ENV instructions (``KEY=value`` form)."""
    out: dict[str, str] = {}
    for keyword, args in dockerfile_instructions():
        if keyword == "ENV":
            out.update(item.split("=", 1) for item in shlex.split(args))
    return out


def option(argv: list[str], name: str) -> str:
    """Value following ``name`` in an argv list."""
    assert name in argv, f"{name} missing from {argv}"
    return argv[argv.index(name) + 1]


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    with COMPOSE_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


# --- compose structure -----------------------------------------------------------------------


def test_no_obsolete_version_key(compose):
    assert "version" not in compose


def test_services_exist(services):
    assert {"db", "migrate", "api"} <= set(services)


def test_db_image_is_pinned_postgis_15_3(services):
    assert re.fullmatch(r"postgis/postgis:15-3\.\d+", services["db"]["image"])


def test_db_healthcheck_uses_pg_isready_for_the_configured_db(services):
    db = services["db"]
    test = db["healthcheck"]["test"]
    command = " ".join(test[1:]) if isinstance(test, list) else test
    assert "pg_isready" in command
    argv = shlex.split(command)
    assert option(argv, "-U") == env(db)["POSTGRES_USER"]
    assert option(argv, "-d") == env(db)["POSTGRES_DB"]


def test_db_data_on_named_volume(compose, services):
    volume_names = {source for source, _, _ in mounts(services["db"])}
    assert "pgdata" in volume_names
    assert "pgdata" in compose["volumes"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_db(services, name):
    assert depends_on(services[name])["db"] == "service_healthy"


def test_api_waits_for_migrations(services):
    assert depends_on(services["api"])["migrate"] == "service_completed_successfully"


def test_migrate_is_one_shot(services):
    migrate = services["migrate"]
    assert migrate["restart"] == "no"
    assert "phananh db migrate" in " ".join(migrate["command"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_built_from_repository(services, name):
    assert services[name]["build"] in (".", {"context": "."})


# --- database URL ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", APP_SERVICES)
def test_database_url_points_at_db_service(services, name):
    db_env = env(services["db"])
    url = urlsplit(with_defaults(env(services[name])["DATABASE_URL"]))
    assert url.scheme == "postgresql"
    assert url.hostname == "db"
    assert url.port == 5432
    assert url.path == "/" + db_env["POSTGRES_DB"]
    assert url.username == db_env["POSTGRES_USER"]
    assert url.password == default_of(db_env["POSTGRES_PASSWORD"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_settings_read_compose_database_url(services, name, monkeypatch):
    url = with_defaults(env(services[name])["DATABASE_URL"])
    monkeypatch.setenv("DATABASE_URL", url)
    settings = DbSettings(_env_file=None)
    assert settings.url == url
    assert settings.embedded is False


def test_db_published_on_embedded_cluster_port(services, monkeypatch):
    # The default, not whatever a developer's environment or .env says.
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("PHANANH_DB_DATABASE_URL", raising=False)
    monkeypatch.delenv("PHANANH_DB_PORT", raising=False)
    default_port = DbSettings(_env_file=None).port
    assert default_port == 5434
    assert published(services["db"]) == [("127.0.0.1", default_port, 5432)]


# --- API port and command --------------------------------------------------------------------


def test_api_port_matches_dockerfile(services):
    expose = {int(p.split("/")[0]) for p in dockerfile_one("EXPOSE").split()}
    cmd = json.loads(dockerfile_one("CMD"))
    ports = published(services["api"])
    assert ports, "api publishes no port"
    for host_ip, _, container_port in ports:
        assert host_ip == "127.0.0.1"
        assert container_port in expose
        assert container_port == int(option(cmd, "--port"))


def test_api_command_matches_dockerfile_cmd(services):
    assert services["api"]["command"] == json.loads(dockerfile_one("CMD"))


def test_healthchecks_probe_healthz_on_served_port(services):
    port = int(option(json.loads(dockerfile_one("CMD")), "--port"))
    target = f"http://127.0.0.1:{port}/healthz"
    assert target in dockerfile_one("HEALTHCHECK")
    assert "urllib" in dockerfile_one("HEALTHCHECK")
    assert target in " ".join(services["api"]["healthcheck"]["test"])


# --- data directory --------------------------------------------------------------------------


@pytest.mark.parametrize("name", APP_SERVICES)
def test_data_dir_consistent_and_read_only(services, name):
    data_dir = dockerfile_env()["PHANANH_DATA_DIR"]
    service = services[name]
    assert env(service)["PHANANH_DATA_DIR"] == data_dir
    data_mounts = [(src, mode) for src, target, mode in mounts(service) if target == data_dir]
    assert len(data_mounts) == 1, f"{name} must mount the data mirror at {data_dir}"
    _, mode = data_mounts[0]
    assert mode == "ro"


# --- Dockerfile ------------------------------------------------------------------------------


def test_dockerfile_runs_as_non_root():
    user = dockerfile_one("USER")
    assert user not in ("root", "0")
    assert user == "phananh"


def test_dockerfile_copies_every_installed_package():
    """The COPY'd folders are exactly the packages pyproject.toml installs."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.rstrip("*") for pattern in include}
    copied = set()
    for keyword, args in dockerfile_instructions():
        if keyword == "COPY":
            copied.update(src.rstrip("/") for src in args.split()[:-1])
    assert packages <= copied
    assert {"pyproject.toml", "constraints.txt", "README.md"} <= copied
