"""The per-installation secret that keys person pseudonyms (HMAC-SHA256 of the ID number).

A pseudonym must not be reversible by anyone holding the code and an output
file: with a constant salt, the 8 hidden birth-date digits of a masked ID
(350602********1234) are found by trying ~40 000 dates. The secret makes that
search useless; it lives outside the repository and outside every output.

Where the secret comes from, first match wins:

1. ``RELIEFPLAN_SECRET`` - the secret itself (at least 16 characters);
2. the plan's ``privacy.secret_file`` (set by :func:`use_secret_file` when the
   plan is loaded; relative to the plan file);
3. ``RELIEFPLAN_SECRET_FILE`` - a path;
4. ``$XDG_CONFIG_HOME/reliefplan/secret`` (default ``~/.config/reliefplan/secret``).

A file that does not exist is created on first use with 32 random bytes
(hex), readable by its owner only (0600). Keep the same secret across years
and machines so that keys stay the same (continuity); see README, "Person
keys and the installation secret".
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from reliefplan.core.errors import ConfigError

ENV_SECRET = "RELIEFPLAN_SECRET"
ENV_SECRET_FILE = "RELIEFPLAN_SECRET_FILE"
MIN_LENGTH = 16

_plan_secret_file: Path | None = None
_cache: dict[tuple, bytes] = {}


def default_secret_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "reliefplan" / "secret"


def use_secret_file(path) -> None:
    """Use the secret in ``path`` (a plan's ``privacy.secret_file``); None goes back to the defaults."""
    global _plan_secret_file
    _plan_secret_file = Path(path).expanduser().resolve() if path else None


def secret_file() -> Path | None:
    """The file the secret is read from (None when ``RELIEFPLAN_SECRET`` gives it directly)."""
    if os.environ.get(ENV_SECRET):
        return None
    if _plan_secret_file is not None:
        return _plan_secret_file
    if os.environ.get(ENV_SECRET_FILE):
        return Path(os.environ[ENV_SECRET_FILE]).expanduser()
    return default_secret_file()


def _create(path: Path) -> None:
    """Create the secret file atomically (written in full under a temporary name, then linked into place)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".secret.", dir=path.parent)   # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:      # another process created it first: use theirs
            pass
    finally:
        os.unlink(tmp)


def installation_secret() -> bytes:
    """The secret as bytes; created on first use when it comes from a file that does not exist yet."""
    value = os.environ.get(ENV_SECRET)
    path = secret_file()
    key = (value, str(path))
    if key in _cache:
        return _cache[key]
    if value is None:
        if not path.exists():
            try:
                _create(path)
            except OSError as exc:
                raise ConfigError(f"无法创建密钥文件: {exc}", f"cannot create the secret file: {exc}",
                                  file=path) from exc
        try:
            value = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"无法读取密钥文件: {exc}", f"cannot read the secret file: {exc}", file=path) from exc
    secret = value.strip().encode("utf-8")
    if len(secret) < MIN_LENGTH:
        where = path if path is not None else ENV_SECRET
        raise ConfigError(f"密钥太短(至少 {MIN_LENGTH} 个字符)", f"the secret is too short (at least {MIN_LENGTH} characters)",
                          file=where)
    _cache[key] = secret
    return secret


def keyed_hasher():
    """An HMAC-SHA256 object keyed with the installation secret, to ``.copy()`` per value."""
    return hmac.new(installation_secret(), digestmod=hashlib.sha256)


def secret_fingerprint() -> str:
    """A short public name of the secret in use (not the secret): same value = same person keys."""
    h = keyed_hasher()
    h.update(b"reliefplan secret fingerprint")
    return h.hexdigest()
