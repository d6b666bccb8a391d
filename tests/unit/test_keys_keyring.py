"""FileKeyRing and MemoryKeyRing: creation, rotation, retirement, safety checks."""

import os
import stat

import pytest

from keys import (
    FileKeyRing,
    InvalidKeyMaterial,
    KeyInUse,
    KeyNotFound,
    KeyRevoked,
    KeyRing,
    KeyRingExists,
    MemoryKeyRing,
)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def ring_path(tmp_path):
    return tmp_path / "instance" / "keys" / "workflow"


@pytest.fixture
def ring(ring_path):
    return FileKeyRing.create(ring_path, "workflow")


def test_create_writes_v1_active_and_purpose(ring, ring_path):
    assert sorted(os.listdir(ring_path)) == ["active", "purpose", "v0001.key"]
    assert ring.purpose == "workflow"
    assert ring.active_version() == 1
    assert ring.versions() == [1]
    assert len(ring.get(1)) == 32
    assert (ring_path / "v0001.key").read_bytes() == ring.get(1)


def test_create_sets_private_modes(ring, ring_path):
    assert mode(ring_path) == 0o700
    for name in ("active", "purpose", "v0001.key"):
        assert mode(ring_path / name) == 0o600


def test_create_refuses_to_overwrite(ring, ring_path):
    before = ring.get(1)
    with pytest.raises(KeyRingExists):
        FileKeyRing.create(ring_path, "workflow")
    with pytest.raises(FileExistsError):
        FileKeyRing.create(ring_path, "other")
    assert FileKeyRing(ring_path, "workflow").get(1) == before


def test_create_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "stray.txt").write_text("x")
    with pytest.raises(KeyRingExists):
        FileKeyRing.create(tmp_path, "workflow")


def test_create_accepts_an_existing_empty_directory(tmp_path):
    target = tmp_path / "empty"
    target.mkdir(mode=0o755)
    ring = FileKeyRing.create(target, "content")
    assert ring.versions() == [1]
    assert mode(target) == 0o700


def test_exists(ring_path):
    assert not FileKeyRing.exists(ring_path)
    FileKeyRing.create(ring_path, "workflow")
    assert FileKeyRing.exists(ring_path)


def test_reopen_gives_the_same_keys(ring, ring_path):
    ring.rotate()
    again = FileKeyRing(str(ring_path), "workflow")
    assert again.active_version() == 2
    assert again.get(1) == ring.get(1)
    assert again.get(2) == ring.get(2)


def test_open_checks_purpose_and_presence(ring, ring_path, tmp_path):
    with pytest.raises(InvalidKeyMaterial, match="purpose"):
        FileKeyRing(ring_path, "identity")
    with pytest.raises(InvalidKeyMaterial, match="no keyring"):
        FileKeyRing(tmp_path / "missing", "workflow")
    with pytest.raises(InvalidKeyMaterial, match="not a directory"):
        FileKeyRing(ring_path / "active", "workflow")


@pytest.mark.parametrize("purpose", ["", "Workflow", "../x", "a/b", "x" * 65, 3])
def test_purpose_is_validated(tmp_path, purpose):
    with pytest.raises(ValueError):
        FileKeyRing.create(tmp_path / "r", purpose)
    with pytest.raises(ValueError):
        MemoryKeyRing(purpose)


def test_rotate_adds_a_new_active_version(ring, ring_path):
    old = ring.get(1)
    assert ring.rotate() == 2
    assert ring.active_version() == 2
    assert ring.versions() == [1, 2]
    assert ring.get(1) == old
    assert ring.get(2) != old
    assert mode(ring_path / "v0002.key") == 0o600
    assert mode(ring_path / "active") == 0o600
    assert not [name for name in os.listdir(ring_path) if name.endswith(".tmp")]


def test_retire_destroys_the_key_and_marks_it_revoked(ring, ring_path):
    ring.rotate()
    ring.retire(1)
    assert not (ring_path / "v0001.key").exists()
    assert (ring_path / "v0001.revoked").exists()
    assert ring.versions() == [2]
    with pytest.raises(KeyRevoked):
        ring.get(1)
    with pytest.raises(KeyRevoked):
        FileKeyRing(ring_path, "workflow").get(1)


def test_retire_is_idempotent_and_finishes_a_half_done_retire(ring, ring_path):
    ring.rotate()
    ring.retire(1)
    ring.retire(1)
    ring.rotate()
    (ring_path / "v0002.revoked").touch(mode=0o600)  # crash after the tombstone, before the shred
    ring.retire(2)
    assert not (ring_path / "v0002.key").exists()


def test_rotate_never_reuses_a_retired_version(ring):
    ring.rotate()
    ring.rotate()
    ring.retire(1)
    ring.retire(2)
    assert ring.rotate() == 4


def test_retire_refuses_the_active_version(ring):
    with pytest.raises(KeyInUse):
        ring.retire(1)
    with pytest.raises(ValueError):
        ring.retire(1)
    assert len(ring.get(1)) == 32


def test_unknown_versions_raise_key_not_found(ring):
    for version in (0, -1, 2, 9999, True, "1"):
        with pytest.raises(KeyNotFound):
            ring.get(version)
    with pytest.raises(KeyNotFound):
        ring.retire(7)


def test_key_of_wrong_length_is_refused(ring, ring_path):
    ring.rotate()
    path = ring_path / "v0001.key"
    path.write_bytes(b"short")
    with pytest.raises(InvalidKeyMaterial, match="32 bytes"):
        ring.get(1)


def test_group_readable_key_file_is_refused(ring, ring_path):
    os.chmod(ring_path / "v0001.key", 0o640)
    with pytest.raises(InvalidKeyMaterial, match="chmod 600"):
        ring.get(1)


def test_symlinked_key_file_is_refused(ring, ring_path, tmp_path):
    ring.rotate()
    elsewhere = tmp_path / "elsewhere.key"
    elsewhere.write_bytes(os.urandom(32))
    os.chmod(elsewhere, 0o600)
    (ring_path / "v0001.key").unlink()
    (ring_path / "v0001.key").symlink_to(elsewhere)
    with pytest.raises(InvalidKeyMaterial):
        ring.get(1)


def test_group_writable_directory_is_refused(ring, ring_path):
    os.chmod(ring_path, 0o770)
    with pytest.raises(InvalidKeyMaterial, match="chmod 700"):
        FileKeyRing(ring_path, "workflow")


@pytest.mark.parametrize("content", [b"", b"zero", b"0", b"-3"])
def test_corrupt_active_file_is_refused(ring, ring_path, content):
    (ring_path / "active").write_bytes(content)
    with pytest.raises(InvalidKeyMaterial):
        ring.active_version()


def test_both_rings_satisfy_the_protocol(ring):
    assert isinstance(ring, KeyRing)
    assert isinstance(MemoryKeyRing("workflow"), KeyRing)


def test_memory_ring_versions_and_rotation():
    ring = MemoryKeyRing("content", versions=3)
    assert ring.purpose == "content"
    assert ring.active_version() == 3
    assert ring.versions() == [1, 2, 3]
    assert len({ring.get(v) for v in (1, 2, 3)}) == 3
    assert ring.rotate() == 4
    assert ring.active_version() == 4


def test_memory_ring_retire():
    ring = MemoryKeyRing("content", versions=2)
    with pytest.raises(KeyInUse):
        ring.retire(2)
    ring.retire(1)
    ring.retire(1)
    with pytest.raises(KeyRevoked):
        ring.get(1)
    with pytest.raises(KeyNotFound):
        ring.get(5)
    with pytest.raises(KeyNotFound):
        ring.retire(5)
    assert ring.versions() == [2]
    assert ring.rotate() == 3


@pytest.mark.parametrize("versions", [0, -1, True])
def test_memory_ring_rejects_bad_version_count(versions):
    with pytest.raises(ValueError):
        MemoryKeyRing("content", versions=versions)
