"""AES-256-GCM field sealing: layout, AAD encoding, failures (keys.aead)."""

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys import Aad, DecryptionFailed, InvalidKeyMaterial, open_sealed, seal
from keys.aead import FORMAT_SEALED, NONCE_SIZE, OVERHEAD, TAG_SIZE, aad_bytes, nonce_of

KEY = bytes(range(32))
AAD = Aad("tenant-1", "case-1", "narrative", "text", 1)
# Frozen output of seal(KEY, b"probidad golden vector", AAD): stored data must stay readable.
GOLDEN = bytes.fromhex(
    "017a612a072014c3c8f5a7779f9560889f524ae1793dcad0f3cf78c7b204f99dbe6da45f810031f15716bcac0c85c11401a398"
)


def test_round_trip_with_aad_object():
    blob = seal(KEY, b"denuncia", AAD)
    assert open_sealed(KEY, blob, AAD) == b"denuncia"


def test_round_trip_with_raw_bytes_aad():
    blob = seal(KEY, b"x" * 1000, b"raw-aad")
    assert open_sealed(KEY, blob, b"raw-aad") == b"x" * 1000


def test_empty_plaintext_round_trips():
    assert open_sealed(KEY, seal(KEY, b"", AAD), AAD) == b""


def test_blob_layout_is_format_nonce_ciphertext_tag():
    blob = seal(KEY, b"12345", AAD)
    assert blob[0] == FORMAT_SEALED == 1
    assert len(blob) == 1 + NONCE_SIZE + 5 + TAG_SIZE == OVERHEAD + 5
    assert nonce_of(blob) == blob[1:13]
    assert b"12345" not in blob


def test_layout_matches_raw_aes_gcm():
    """An independent decryption following the documented layout."""
    nonce, body = GOLDEN[1:13], GOLDEN[13:]
    assert AESGCM(KEY).decrypt(nonce, body, b"\x01" + AAD.encode()) == b"probidad golden vector"


def test_golden_vector_still_opens():
    assert open_sealed(KEY, GOLDEN, AAD) == b"probidad golden vector"


def test_two_seals_differ():
    assert seal(KEY, b"same", AAD) != seal(KEY, b"same", AAD)


def test_aad_encoding_is_unambiguous():
    assert Aad("a|b", "c", "o", "f", 1).encode() != Aad("a", "b|c", "o", "f", 1).encode()
    assert Aad("ab", "", "o", "f", 1).encode() != Aad("a", "b", "o", "f", 1).encode()
    assert Aad("t", "c", "o", "f", 1).encode() != Aad("t", "c", "o", "f", 2).encode()


def test_aad_encoding_is_stable():
    assert Aad("t", "c", "o", "f", 7).encode() == (
        b"probidad.aad.v1"
        + b"\x00\x00\x00\x01t"
        + b"\x00\x00\x00\x01c"
        + b"\x00\x00\x00\x01o"
        + b"\x00\x00\x00\x01f"
        + b"\x00\x00\x00\x07"
    )


def test_aad_is_frozen():
    with pytest.raises(AttributeError):
        AAD.case = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    "fields",
    [
        (1, "c", "o", "f", 1),
        ("t", b"c", "o", "f", 1),
        ("t", "c", "o", "f", "1"),
        ("t", "c", "o", "f", True),
        ("t", "c", "o", "f", 1.0),
    ],
)
def test_aad_rejects_wrong_types(fields):
    with pytest.raises(TypeError):
        Aad(*fields)


@pytest.mark.parametrize("version", [-1, 2**32])
def test_aad_rejects_out_of_range_version(version):
    with pytest.raises(ValueError):
        Aad("t", "c", "o", "f", version)


def test_aad_bytes_rejects_other_types():
    with pytest.raises(TypeError):
        aad_bytes("text aad")  # type: ignore[arg-type]
    assert aad_bytes(bytearray(b"ab")) == b"ab"


@pytest.mark.parametrize("bad_key", [b"", b"k" * 16, b"k" * 31, b"k" * 33, "k" * 32])
def test_wrong_key_length_is_invalid_key_material(bad_key):
    with pytest.raises(InvalidKeyMaterial):
        seal(bad_key, b"x", AAD)
    with pytest.raises(InvalidKeyMaterial):
        open_sealed(bad_key, GOLDEN, AAD)


def test_wrong_key_fails():
    with pytest.raises(DecryptionFailed):
        open_sealed(bytes(32), GOLDEN, AAD)


def test_wrong_aad_fails():
    with pytest.raises(DecryptionFailed):
        open_sealed(KEY, GOLDEN, Aad("tenant-1", "case-1", "narrative", "title", 1))


@pytest.mark.parametrize("cut", [0, 1, 12, 13, OVERHEAD - 1, len(GOLDEN) - 1])
def test_truncated_blob_fails(cut):
    with pytest.raises(DecryptionFailed):
        open_sealed(KEY, GOLDEN[:cut], AAD)


def test_wrong_format_byte_fails_even_with_valid_tag_structure():
    for fmt in (0, 2, 0xFF):
        with pytest.raises(DecryptionFailed):
            open_sealed(KEY, bytes([fmt]) + GOLDEN[1:], AAD)


def test_non_bytes_blob_fails():
    with pytest.raises(DecryptionFailed):
        open_sealed(KEY, GOLDEN.hex(), AAD)  # type: ignore[arg-type]


def test_bytearray_inputs_accepted():
    blob = seal(bytearray(KEY), bytearray(b"abc"), AAD)
    assert open_sealed(KEY, bytearray(blob), AAD) == b"abc"
