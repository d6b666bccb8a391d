"""Key-encryption-key rings with versions, rotation and retirement.

A ring holds the KEK versions of one *purpose* (``workflow``, ``content``,
``backup-epoch`` ...).  New wraps use the active version; older versions stay
for unwrapping until they are retired, which destroys their material
(SECURITY.md properties 5 and 6, NIST SP 800-57 cryptoperiods).

``FileKeyRing`` layout (KEKs never live in the database, property 1)::

    instance/keys/workflow/        0700
        purpose                    0600  "workflow"
        active                     0600  "2"
        v0001.revoked              0600  empty tombstone of a retired version
        v0002.key                  0600  32 random bytes
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from pathlib import Path
from typing import Protocol, runtime_checkable

from keys.aead import KEY_SIZE
from keys.errors import InvalidKeyMaterial, KeyInUse, KeyNotFound, KeyRevoked, KeyRingExists
from keys.shred import destroy_file

_PURPOSE_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_KEY_RE = re.compile(r"^v(\d{4,})\.(key|revoked)$")
_ACTIVE = "active"
_PURPOSE = "purpose"


@runtime_checkable
class KeyRing(Protocol):
    """What the engine needs from a ring of KEK versions."""

    purpose: str

    def active_version(self) -> int:
        """Return the version used for new wraps."""
        ...

    def get(self, version: int) -> bytes:
        """Return the key of ``version``; raise KeyNotFound or KeyRevoked."""
        ...

    def versions(self) -> list[int]:
        """Return the usable (not retired) versions, ascending."""
        ...


def _check_purpose(purpose: str) -> str:
    if not isinstance(purpose, str) or not _PURPOSE_RE.match(purpose):
        raise ValueError("purpose must be 1-64 chars of a-z, 0-9, '_', '.', '-'")
    return purpose


def _check_version(version: int) -> int:
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise KeyNotFound(f"no key version {version!r}")
    return version


def _write_private(path: Path, data: bytes) -> None:
    """Create ``path`` exclusively with mode 0600 and write ``data`` durably."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_private(path: Path, forbidden_bits: int) -> bytes:
    """Read a regular file, refusing symlinks and unsafe permission bits."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise InvalidKeyMaterial(f"cannot open {path.name} safely: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidKeyMaterial(f"{path.name} is not a regular file")
        mode = stat.S_IMODE(info.st_mode)
        if mode & forbidden_bits:
            raise InvalidKeyMaterial(
                f"refusing to load {path}: mode {mode:04o} lets group or others access it; "
                f"run 'chmod 600 {path}'"
            )
        chunks = []
        while chunk := os.read(fd, 65536):  # key and pointer files are tiny: one read, no buffered file object
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


class FileKeyRing:
    """A directory of KEK files, one per version, plus an ``active`` pointer."""

    def __init__(self, path: str | os.PathLike[str], purpose: str) -> None:
        """Open an existing ring; raise InvalidKeyMaterial if it is missing or unsafe."""
        self.path = Path(path)
        self.purpose = _check_purpose(purpose)
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            raise InvalidKeyMaterial(f"no keyring at {self.path}") from None
        if not stat.S_ISDIR(info.st_mode):
            raise InvalidKeyMaterial(f"{self.path} is not a directory")
        if stat.S_IMODE(info.st_mode) & 0o022:
            raise InvalidKeyMaterial(f"keyring {self.path} is writable by group or others; run 'chmod 700'")
        stored = self._read_meta(_PURPOSE)
        if stored != purpose:
            raise InvalidKeyMaterial(f"keyring {self.path} is for purpose {stored!r}, not {purpose!r}")

    @classmethod
    def create(cls, path: str | os.PathLike[str], purpose: str) -> FileKeyRing:
        """Create a ring with version 1 active; never overwrites existing keys."""
        _check_purpose(purpose)
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.mkdir(mode=0o700)
        except FileExistsError:
            if not target.is_dir() or any(target.iterdir()):
                raise KeyRingExists(f"refusing to overwrite existing keyring at {target}") from None
        os.chmod(target, 0o700)
        _write_private(target / _PURPOSE, purpose.encode("ascii"))
        _write_private(target / "v0001.key", os.urandom(KEY_SIZE))
        _write_private(target / _ACTIVE, b"1")
        return cls(target, purpose)

    @classmethod
    def exists(cls, path: str | os.PathLike[str]) -> bool:
        """Return True if ``path`` holds a keyring (its ``active`` file)."""
        return (Path(path) / _ACTIVE).is_file()

    def _key_path(self, version: int, suffix: str = "key") -> Path:
        return self.path / f"v{version:04d}.{suffix}"

    def _read_meta(self, name: str) -> str:
        try:
            raw = _read_private(self.path / name, 0o022)
        except FileNotFoundError:
            raise InvalidKeyMaterial(f"keyring {self.path} has no {name!r} file") from None
        return raw.decode("ascii", errors="replace").strip()

    def _scan(self) -> tuple[set[int], set[int]]:
        present: set[int] = set()
        revoked: set[int] = set()
        for entry in os.listdir(self.path):
            match = _KEY_RE.match(entry)
            if match:
                (present if match.group(2) == "key" else revoked).add(int(match.group(1)))
        return present, revoked

    def active_version(self) -> int:
        """Return the version used for new wraps."""
        text = self._read_meta(_ACTIVE)
        if not text.isdigit() or int(text) < 1:
            raise InvalidKeyMaterial(f"keyring {self.path} has a corrupt 'active' file")
        return int(text)

    def get(self, version: int) -> bytes:
        """Return the 32-byte KEK of ``version``; raise KeyNotFound or KeyRevoked."""
        version = _check_version(version)
        if self._key_path(version, "revoked").exists():
            raise KeyRevoked(f"{self.purpose} key version {version} was retired")
        try:
            material = _read_private(self._key_path(version), 0o077)
        except FileNotFoundError:
            raise KeyNotFound(f"no {self.purpose} key version {version}") from None
        if len(material) != KEY_SIZE:
            raise InvalidKeyMaterial(f"{self.purpose} key version {version} is not {KEY_SIZE} bytes")
        return material

    def versions(self) -> list[int]:
        """Return the usable (not retired) versions, ascending."""
        present, revoked = self._scan()
        return sorted(present - revoked)

    def _set_active(self, version: int) -> None:
        temp = self.path / f".{_ACTIVE}.{secrets.token_hex(8)}.tmp"
        _write_private(temp, str(version).encode("ascii"))
        os.replace(temp, self.path / _ACTIVE)

    def rotate(self) -> int:
        """Generate a new version, make it active and return its number."""
        present, revoked = self._scan()
        version = max(present | revoked | {self.active_version()}) + 1
        _write_private(self._key_path(version), os.urandom(KEY_SIZE))
        self._set_active(version)
        return version

    def retire(self, version: int) -> None:
        """Destroy the material of a non-active version; ``get`` then raises KeyRevoked.

        A tombstone is written first, so a crash half-way still leaves the
        version unusable; calling ``retire`` again finishes the job.
        """
        version = _check_version(version)
        if version == self.active_version():
            raise KeyInUse(f"refusing to retire the active {self.purpose} key version {version}")
        key_path = self._key_path(version)
        tombstone = self._key_path(version, "revoked")
        if not tombstone.exists():
            if not key_path.exists():
                raise KeyNotFound(f"no {self.purpose} key version {version}")
            _write_private(tombstone, b"")
        destroy_file(key_path, missing_ok=True)


class MemoryKeyRing:
    """An in-memory ring with the FileKeyRing interface, for tests and fakes."""

    def __init__(self, purpose: str, versions: int = 1) -> None:
        """Create a ring holding ``versions`` random keys; the last one is active."""
        if isinstance(versions, bool) or not isinstance(versions, int) or versions < 1:
            raise ValueError("versions must be a positive int")
        self.purpose = _check_purpose(purpose)
        self._keys = {v: os.urandom(KEY_SIZE) for v in range(1, versions + 1)}
        self._revoked: set[int] = set()
        self._active = versions

    def active_version(self) -> int:
        """Return the version used for new wraps."""
        return self._active

    def get(self, version: int) -> bytes:
        """Return the key of ``version``; raise KeyNotFound or KeyRevoked."""
        version = _check_version(version)
        if version in self._revoked:
            raise KeyRevoked(f"{self.purpose} key version {version} was retired")
        try:
            return self._keys[version]
        except KeyError:
            raise KeyNotFound(f"no {self.purpose} key version {version}") from None

    def versions(self) -> list[int]:
        """Return the usable (not retired) versions, ascending."""
        return sorted(self._keys)

    def rotate(self) -> int:
        """Add a new version, make it active and return its number."""
        version = max(self._keys.keys() | self._revoked) + 1
        self._keys[version] = os.urandom(KEY_SIZE)
        self._active = version
        return version

    def retire(self, version: int) -> None:
        """Forget a non-active version; ``get`` then raises KeyRevoked."""
        version = _check_version(version)
        if version == self._active:
            raise KeyInUse(f"refusing to retire the active {self.purpose} key version {version}")
        if version in self._revoked:
            return
        if version not in self._keys:
            raise KeyNotFound(f"no {self.purpose} key version {version}")
        del self._keys[version]
        self._revoked.add(version)
