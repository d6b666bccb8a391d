"""SECURITY.md test 4: ciphertext tampering, AAD swaps, chunk games, version rollback.

Every modification must end in DecryptionFailed, never in plaintext and never
in an exception that carries detail.
"""

import os

import pytest

from keys import (
    Aad,
    DecryptionFailed,
    decrypt_bytes,
    decrypt_stream,
    encrypt_bytes,
    encrypt_stream,
    generate_keypair,
    new_data_key,
    open_sealed,
    seal,
    unlock_private_key,
    unwrap_key,
    unwrap_with_private,
    wrap_key,
    wrap_to_public,
)
from keys.custodian import public_key_from_private

KEY = new_data_key()
KEK = new_data_key()
CASE_A = Aad("tenant-1", "case-A", "narrative", "text", 1)
CASE_B = Aad("tenant-1", "case-B", "narrative", "text", 1)
PLAINTEXT = b"El funcionario X recibio un soborno de 50 000 soles."


def flipped(blob, index, mask):
    return blob[:index] + bytes([blob[index] ^ mask]) + blob[index + 1 :]


def assert_every_flip_fails(blob, opener):
    """Flip each byte (format, nonce, ciphertext, tag) with two masks; all must fail."""
    assert len(blob) > 20
    for index in range(len(blob)):
        for mask in (0x01, 0x80):
            with pytest.raises(DecryptionFailed) as info:
                opener(flipped(blob, index, mask))
            assert str(info.value) == "decryption failed"
            assert info.value.__cause__ is None
            assert info.value.__context__ is None or info.value.__suppress_context__


def test_every_byte_of_a_sealed_field():
    blob = seal(KEY, PLAINTEXT, CASE_A)
    assert open_sealed(KEY, blob, CASE_A) == PLAINTEXT
    assert_every_flip_fails(blob, lambda b: open_sealed(KEY, b, CASE_A))


def test_every_byte_of_a_wrapped_key():
    dek = new_data_key()
    wrapped = wrap_key(KEK, dek, CASE_A)
    assert unwrap_key(KEK, wrapped, CASE_A) == dek
    assert_every_flip_fails(wrapped, lambda b: unwrap_key(KEK, b, CASE_A))


def test_every_byte_of_a_key_wrapped_to_a_custodian():
    private = new_data_key()
    public = public_key_from_private(private)
    wrapped = wrap_to_public(public, KEY, b"case-A|identity")
    assert unwrap_with_private(private, wrapped, b"case-A|identity") == KEY
    assert_every_flip_fails(wrapped, lambda b: unwrap_with_private(private, b, b"case-A|identity"))


def test_every_byte_of_a_locked_private_key():
    locked = generate_keypair("pw", fast=True).locked_private_key
    unlock_private_key(locked, "pw")
    assert_every_flip_fails(locked, lambda b: unlock_private_key(b, "pw"))


def test_every_byte_of_an_attachment_stream():
    blob = encrypt_bytes(KEY, os.urandom(40), b"file-1", chunk_size=16)
    assert_every_flip_fails(blob, lambda b: decrypt_bytes(KEY, b, b"file-1"))


@pytest.mark.parametrize(
    "other",
    [
        Aad("tenant-1", "case-B", "narrative", "text", 1),
        Aad("tenant-2", "case-A", "narrative", "text", 1),
        Aad("tenant-1", "case-A", "comment", "text", 1),
        Aad("tenant-1", "case-A", "narrative", "title", 1),
    ],
    ids=["case", "tenant", "object", "field"],
)
def test_ciphertext_swapped_between_cases_and_fields_fails(other):
    blob = seal(KEY, PLAINTEXT, CASE_A)
    with pytest.raises(DecryptionFailed):
        open_sealed(KEY, blob, other)


def test_ciphertexts_swapped_between_two_fields_of_one_case():
    title_aad = Aad("tenant-1", "case-A", "narrative", "title", 1)
    text_blob = seal(KEY, b"text", CASE_A)
    title_blob = seal(KEY, b"title", title_aad)
    with pytest.raises(DecryptionFailed):
        open_sealed(KEY, title_blob, CASE_A)
    with pytest.raises(DecryptionFailed):
        open_sealed(KEY, text_blob, title_aad)


def test_wrapped_keys_swapped_between_cases_fail():
    dek_a, dek_b = new_data_key(), new_data_key()
    wrapped_a = wrap_key(KEK, dek_a, CASE_A)
    wrapped_b = wrap_key(KEK, dek_b, CASE_B)
    with pytest.raises(DecryptionFailed):
        unwrap_key(KEK, wrapped_a, CASE_B)
    with pytest.raises(DecryptionFailed):
        unwrap_key(KEK, wrapped_b, CASE_A)


def test_custodian_wrapped_key_swapped_between_cases_fails():
    private = new_data_key()
    wrapped = wrap_to_public(public_key_from_private(private), KEY, b"case-A")
    with pytest.raises(DecryptionFailed):
        unwrap_with_private(private, wrapped, b"case-B")


def test_key_version_rollback_fails():
    current = Aad("tenant-1", "case-A", "narrative", "text", 2)
    rolled_back = Aad("tenant-1", "case-A", "narrative", "text", 1)
    blob = seal(KEY, PLAINTEXT, current)
    with pytest.raises(DecryptionFailed):
        open_sealed(KEY, blob, rolled_back)
    wrapped = wrap_key(KEK, KEY, current)
    with pytest.raises(DecryptionFailed):
        unwrap_key(KEK, wrapped, rolled_back)


@pytest.fixture
def stream_chunks():
    data = os.urandom(16 * 5 + 3)
    chunks = list(encrypt_stream(KEY, [data], b"file-1", chunk_size=16))
    assert len(chunks) == 1 + 6
    assert b"".join(decrypt_stream(KEY, chunks, b"file-1")) == data
    return chunks


def _fails(chunks, aad=b"file-1"):
    with pytest.raises(DecryptionFailed):
        b"".join(decrypt_stream(KEY, chunks, aad))


def test_stream_truncated_at_a_chunk_boundary(stream_chunks):
    for end in range(1, len(stream_chunks)):
        _fails(stream_chunks[:end])


def test_stream_truncated_inside_a_chunk(stream_chunks):
    blob = b"".join(stream_chunks)
    for cut in (len(blob) - 1, len(blob) - 16, len(blob) - 20, 40, 13):
        _fails([blob[:cut]])


def test_stream_final_chunk_removed(stream_chunks):
    _fails(stream_chunks[:-1])


def test_stream_chunk_dropped(stream_chunks):
    for index in range(1, len(stream_chunks)):
        _fails(stream_chunks[:index] + stream_chunks[index + 1 :])


def test_stream_chunk_duplicated(stream_chunks):
    for index in range(1, len(stream_chunks)):
        _fails(stream_chunks[: index + 1] + stream_chunks[index:])


def test_stream_chunks_reordered(stream_chunks):
    header, body = stream_chunks[0], stream_chunks[1:]
    for i in range(len(body) - 1):
        swapped = list(body)
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        _fails([header, *swapped])


def test_stream_extended(stream_chunks):
    _fails([*stream_chunks, stream_chunks[1]])
    _fails([*stream_chunks, b"\x00"])


def test_stream_chunks_spliced_from_another_file(stream_chunks):
    other = list(encrypt_stream(KEY, [os.urandom(16 * 5 + 3)], b"file-1", chunk_size=16))
    _fails([other[0], *stream_chunks[1:]])
    _fails([stream_chunks[0], stream_chunks[1], other[2], *stream_chunks[3:]])


def test_stream_moved_to_another_file_aad(stream_chunks):
    _fails(stream_chunks, aad=b"file-2")


def test_output_before_failure_is_only_authenticated_chunks(stream_chunks):
    """decrypt_stream yields verified chunks only; the caller discards them on failure."""
    received = []
    with pytest.raises(DecryptionFailed):
        for piece in decrypt_stream(KEY, stream_chunks[:-1], b"file-1"):
            received.append(piece)
    assert all(len(piece) == 16 for piece in received)
