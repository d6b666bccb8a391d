"""destroy_file and wipe (keys.shred)."""

import os

import pytest

from keys import destroy_file, wipe


def test_destroy_file_overwrites_then_unlinks(tmp_path):
    secret = b"S" * 100_000
    path = tmp_path / "blob"
    path.write_bytes(secret)
    witness = tmp_path / "witness"
    os.link(path, witness)  # a hard link shares the inode, so it sees the overwrite
    destroy_file(path)
    assert not path.exists()
    leftover = witness.read_bytes()
    assert len(leftover) == len(secret)
    assert leftover != secret
    assert leftover.count(b"S") < 2_000


def test_destroy_file_handles_empty_files(tmp_path):
    path = tmp_path / "empty"
    path.touch()
    destroy_file(str(path))
    assert not path.exists()


def test_destroy_file_missing(tmp_path):
    with pytest.raises(FileNotFoundError):
        destroy_file(tmp_path / "nope")
    destroy_file(tmp_path / "nope", missing_ok=True)


def test_destroy_file_refuses_symlinks(tmp_path):
    target = tmp_path / "target"
    target.write_bytes(b"keep me")
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(OSError):
        destroy_file(link)
    assert target.read_bytes() == b"keep me"


def test_destroy_file_refuses_fifos(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises((OSError, ValueError)):
        destroy_file(fifo)


def test_wipe_zeroes_in_place():
    buf = bytearray(b"secret key material")
    alias = memoryview(buf)
    wipe(buf)
    assert buf == bytearray(len(b"secret key material"))
    assert bytes(alias) == bytes(len(buf))


def test_wipe_memoryview_slice():
    buf = bytearray(b"abcdef")
    wipe(memoryview(buf)[2:4])
    assert buf == bytearray(b"ab\x00\x00ef")


def test_wipe_refuses_read_only_buffers():
    with pytest.raises(TypeError):
        wipe(b"immutable")  # type: ignore[arg-type]
