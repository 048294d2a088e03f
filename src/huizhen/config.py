"""Node configuration read from the environment, in one place.

Every setting a node needs is parsed and validated here before Django starts, so a
mistake stops start-up with one line that names the variable instead of a traceback.
This module is deliberately free of Django imports: the CLI calls it first, and the
Django settings module only copies its result.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROLES = ("hub", "gateway")
ENVIRONMENTS = ("demo", "production")
TASK_BACKENDS = ("db", "rq", "immediate")
TRANSLATION_ENGINES = ("none", "http", "argos")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_DEMO_HOSTS = ("127.0.0.1", "localhost", "[::1]")


class ConfigError(Exception):
    """A setting is missing or invalid; the message names the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


@dataclass(frozen=True)
class NodeConfig:
    role: str
    environment: str
    data_dir: Path
    blob_dir: Path
    secret_key: str
    allowed_hosts: tuple[str, ...]
    csrf_trusted_origins: tuple[str, ...]
    database_url: str
    public_url: str
    node_name: str
    debug: bool
    tasks_backend: str
    redis_url: str | None
    translation_engine: str = "none"
    translation_url: str | None = None
    translation_api_key: str | None = None
    time_zone: str = "UTC"
    country: str = ""
    smtp_host: str | None = None

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str | None) -> str:
    raw = env.get(name, "").strip()
    if not raw:
        if default is None:
            raise ConfigError(name, f"is not set; choose one of {', '.join(choices)}")
        return default
    if raw not in choices:
        raise ConfigError(name, f"must be one of {', '.join(choices)} (got {raw!r})")
    return raw


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(name, f"must be true or false (got {raw!r})")


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name, "").strip() or default
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(name, f"must be an http(s) URL such as https://huizhen.example.org (got {raw!r})")
    return raw.rstrip("/")


def _secret_key(env: Mapping[str, str], environment: str, data_dir: Path) -> str:
    raw = env.get("HUIZHEN_SECRET_KEY", "").strip()
    if raw:
        if len(raw) < 50 or len(set(raw)) < 5:
            raise ConfigError("HUIZHEN_SECRET_KEY", "must be at least 50 characters with at least 5 distinct ones")
        return raw
    if environment == "production":
        raise ConfigError("HUIZHEN_SECRET_KEY", "is not set; production nodes need an explicit secret key")
    # Demo nodes keep a generated key beside their data so that sessions survive restarts.
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    tmp = key_file.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    os.replace(tmp, key_file)
    return key


def _database_url(env: Mapping[str, str], data_dir: Path) -> str:
    raw = env.get("DATABASE_URL", "").strip()
    if not raw:
        return f"sqlite:///{data_dir / 'huizhen.sqlite3'}"
    scheme = urlsplit(raw).scheme
    if scheme not in ("sqlite", "postgres", "postgresql", "pgsql"):
        raise ConfigError("DATABASE_URL", f"must be a sqlite:/// or postgres:// URL (got scheme {scheme!r})")
    return raw


def load(env: Mapping[str, str] | None = None, *, create_dirs: bool = True) -> NodeConfig:
    """Read and validate the node's configuration; raise ConfigError naming the first bad variable."""
    env = os.environ if env is None else env
    role = _choice(env, "HUIZHEN_ROLE", ROLES, None)
    environment = _choice(env, "HUIZHEN_ENV", ENVIRONMENTS, "demo")
    data_dir = Path(env.get("HUIZHEN_DATA_DIR", "").strip() or Path("var") / role).resolve()
    if create_dirs:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            (data_dir / "blobs").mkdir(exist_ok=True)
            (data_dir / "static").mkdir(exist_ok=True)
        except OSError as exc:
            raise ConfigError("HUIZHEN_DATA_DIR", f"cannot create {data_dir}: {exc.strerror}") from exc
    if not os.access(data_dir, os.W_OK) and create_dirs:
        raise ConfigError("HUIZHEN_DATA_DIR", f"{data_dir} is not writable")

    hosts_raw = env.get("HUIZHEN_ALLOWED_HOSTS", "").strip()
    if hosts_raw:
        allowed_hosts = tuple(h.strip() for h in hosts_raw.split(",") if h.strip())
    elif environment == "production":
        raise ConfigError("HUIZHEN_ALLOWED_HOSTS", "is not set; list this node's host names, comma-separated")
    else:
        allowed_hosts = _DEMO_HOSTS
    if "*" in allowed_hosts and environment == "production":
        raise ConfigError("HUIZHEN_ALLOWED_HOSTS", "may not contain '*' in production")

    default_port = "8000" if role == "hub" else "8001"
    public_url = _url(env, "HUIZHEN_PUBLIC_URL", f"http://127.0.0.1:{default_port}")
    if environment == "production" and not public_url.startswith("https://"):
        raise ConfigError("HUIZHEN_PUBLIC_URL", "must be https:// in production")

    tasks_backend = _choice(env, "HUIZHEN_TASKS_BACKEND", TASK_BACKENDS, "db")
    redis_url = env.get("HUIZHEN_REDIS_URL", "").strip() or None
    if tasks_backend == "rq" and not redis_url:
        raise ConfigError("HUIZHEN_REDIS_URL", "is not set; the rq task backend needs a redis:// URL")
    if redis_url and urlsplit(redis_url).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError("HUIZHEN_REDIS_URL", f"must be a redis:// URL (got {redis_url!r})")

    translation_engine = _choice(env, "HUIZHEN_TRANSLATION_ENGINE", TRANSLATION_ENGINES, "none")
    translation_url = None
    if translation_engine == "http":
        translation_url = _url(env, "HUIZHEN_TRANSLATION_URL", "")
    translation_api_key = env.get("HUIZHEN_TRANSLATION_API_KEY", "").strip() or None

    # Deadlines count business days in the node's own time zone and public holidays.
    time_zone = env.get("HUIZHEN_TIME_ZONE", "").strip() or "UTC"
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError("HUIZHEN_TIME_ZONE", f"is not a known IANA time zone (got {time_zone!r})") from exc
    country = env.get("HUIZHEN_COUNTRY", "").strip().upper()
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise ConfigError("HUIZHEN_COUNTRY", f"must be an ISO 3166-1 alpha-2 code such as CN or US (got {country!r})")
    smtp_host = env.get("HUIZHEN_SMTP_HOST", "").strip() or None

    debug = _flag(env, "HUIZHEN_DEBUG", False)
    if debug and environment == "production":
        raise ConfigError("HUIZHEN_DEBUG", "must be off in production")

    origins_raw = env.get("HUIZHEN_CSRF_TRUSTED_ORIGINS", "").strip()
    origins = tuple(o.strip() for o in origins_raw.split(",") if o.strip()) or (public_url,)

    secret_key = _secret_key(env, environment, data_dir) if create_dirs else "unset"
    if environment == "production" and not country:
        # Without it the policy engine cannot tell where a case is viewed from, and
        # deadlines would count no public holidays: a production node must say.
        raise ConfigError("HUIZHEN_COUNTRY", "is not set; give this node's country as ISO 3166-1 alpha-2 (CN, US)")

    return NodeConfig(
        role=role,
        environment=environment,
        data_dir=data_dir,
        blob_dir=data_dir / "blobs",
        secret_key=secret_key,
        allowed_hosts=allowed_hosts,
        csrf_trusted_origins=origins,
        database_url=_database_url(env, data_dir),
        public_url=public_url,
        node_name=env.get("HUIZHEN_NODE_NAME", "").strip() or f"Huizhen {role}",
        debug=debug,
        tasks_backend=tasks_backend,
        redis_url=redis_url,
        translation_engine=translation_engine,
        translation_url=translation_url,
        translation_api_key=translation_api_key,
        time_zone=time_zone,
        country=country,
        smtp_host=smtp_host,
    )
