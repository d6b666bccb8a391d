"""The public surface of ``keys``: __all__, docstrings, layering, budgets."""

import ast
import inspect
import pathlib
import subprocess
import sys

import keys
import keys.errors

PACKAGE = pathlib.Path(keys.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))

EXPECTED = {
    "Aad",
    "CustodianKeys",
    "DecryptionFailed",
    "FileKeyRing",
    "InvalidKeyMaterial",
    "KeyInUse",
    "KeyNotFound",
    "KeyRevoked",
    "KeyRing",
    "KeyRingExists",
    "KeysError",
    "MemoryKeyRing",
    "TooLarge",
    "UsageCounter",
    "UsageLimitExceeded",
    "decrypt_bytes",
    "decrypt_stream",
    "destroy_file",
    "encrypt_bytes",
    "encrypt_stream",
    "fingerprint",
    "generate_keypair",
    "new_data_key",
    "open_sealed",
    "public_key_from_private",
    "seal",
    "sealed_size",
    "subkey",
    "unlock_private_key",
    "unwrap_key",
    "unwrap_with_private",
    "wipe",
    "wrap_key",
    "wrap_to_public",
}


def test_all_is_exactly_the_public_api():
    assert set(keys.__all__) == EXPECTED
    assert len(keys.__all__) == len(set(keys.__all__))
    assert keys.__all__ == sorted(keys.__all__)


def test_every_public_name_exists_and_is_documented():
    for name in keys.__all__:
        obj = getattr(keys, name)
        assert inspect.getdoc(obj), name


def test_engine_facing_signatures():
    names = [name for name in keys.__all__ if name[0].islower()]
    names += ["FileKeyRing", "MemoryKeyRing", "UsageCounter"]
    params = {name: list(inspect.signature(getattr(keys, name)).parameters) for name in names}
    assert params["seal"] == ["key", "plaintext", "aad"]
    assert params["open_sealed"] == ["key", "blob", "aad"]
    assert params["wrap_key"] == ["kek", "data_key", "aad"]
    assert params["unwrap_key"] == ["kek", "wrapped", "aad"]
    assert params["subkey"] == ["data_key", "object_type", "object_id"]
    assert params["generate_keypair"] == ["passphrase", "fast"]
    assert params["unlock_private_key"] == ["locked", "passphrase"]
    assert params["wrap_to_public"] == ["public_key", "secret", "aad"]
    assert params["unwrap_with_private"] == ["private_key", "wrapped", "aad"]
    assert params["encrypt_stream"] == ["key", "chunks", "aad", "chunk_size", "max_bytes"]
    assert params["decrypt_stream"] == ["key", "sealed_chunks", "aad", "max_bytes"]
    assert params["encrypt_bytes"] == ["key", "data", "aad", "chunk_size", "max_bytes"]
    assert params["decrypt_bytes"] == ["key", "blob", "aad", "max_bytes"]
    assert params["FileKeyRing"] == ["path", "purpose"]
    assert params["MemoryKeyRing"] == ["purpose", "versions"]
    assert params["UsageCounter"] == ["limit"]
    assert list(inspect.signature(keys.UsageCounter.record).parameters) == ["self", "key_id", "n"]
    assert [f for f in keys.Aad.__dataclass_fields__] == ["tenant", "case", "obj", "field", "key_version"]


def test_error_tree():
    errors = keys.errors
    for name in (
        "DecryptionFailed",
        "KeyNotFound",
        "KeyRevoked",
        "UsageLimitExceeded",
        "InvalidKeyMaterial",
        "KeyRingExists",
        "KeyInUse",
        "TooLarge",
    ):
        cls = getattr(errors, name)
        assert issubclass(cls, errors.KeysError), name
        assert name in errors.__doc__, name
    assert issubclass(errors.KeysError, Exception)
    assert issubclass(errors.TooLarge, ValueError)
    assert issubclass(errors.KeyRingExists, FileExistsError)
    assert "KeysError" in errors.__doc__


def _imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


def test_keys_is_a_leaf_using_only_stdlib_and_cryptography():
    allowed = set(sys.stdlib_module_names) | {"cryptography", "keys", "__future__"}
    for module in MODULES:
        found = set(_imports(ast.parse(module.read_text())))
        assert found <= allowed, (module.name, found - allowed)
        assert "random" not in found, module.name


def test_importing_keys_loads_no_other_layer():
    code = (
        "import sys, keys; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'engine', 'web', 'workflows', 'sqlalchemy', 'flask', 'SpiffWorkflow'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PACKAGE.parent, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_import_does_no_work(tmp_path):
    code = "import keys.aead, keys.envelope, keys.keyring, keys.custodian, keys.streaming, keys.shred"
    env = {"PYTHONPATH": str(PACKAGE.parent), "PATH": ""}
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True)
    assert list(tmp_path.iterdir()) == []


def test_budgets_and_docstrings():
    for module in MODULES:
        source = module.read_text()
        assert len(source.splitlines()) <= 400, module.name
        tree = ast.parse(source)
        assert ast.get_docstring(tree), module.name
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
                assert ast.get_docstring(node), f"{module.name}:{node.name}"


def test_no_equality_on_secret_material():
    """Secrets are compared with hmac.compare_digest, never ==; this package compares none."""
    suspicious = ("key ==", "tag ==", "== key", "== tag", "mac ==", "== mac")
    for module in MODULES:
        text = module.read_text()
        assert not [s for s in suspicious if s in text], module.name
