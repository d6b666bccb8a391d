"""The live-workflow cache (engine/services/live_cache.py): reused only when the sealed row is exactly
what this process wrote; any other writer, a failed command or a shred falls back to the database."""

from __future__ import annotations

import pytest

from engine import bootstrap
from engine.errors import NotFound, StaleCase
from engine.services.live_cache import LiveWorkflows
from tests.helpers import FIXTURE_DEFINITION, fixture_engine


def _second_engine(engine, clock):
    """Another process on the same database and workflow keyring (its own, empty cache)."""
    return bootstrap.build(engine.settings, clock=clock, workflow_keyring=engine.rt.sealer.keyring,
                           definitions=[FIXTURE_DEFINITION])


def test_the_next_command_reuses_the_workflow_this_process_stored(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {})
    hits = engine.rt.live.hits
    review = engine.tasks(case_id=case_id)[0]
    engine.complete_task(review.id, {"admissible": "yes"})
    assert engine.rt.live.hits == hits + 1
    assert engine.case(case_id).data["admissible"] == "yes"


def test_a_write_by_another_process_is_never_shadowed_by_the_cache(tmp_path):
    engine, clock = fixture_engine(tmp_path)
    other = _second_engine(engine, clock)
    case_id = engine.start_case("fixture", {})  # cached in `engine`
    review = other.tasks(case_id=case_id)[0]
    other.complete_task(review.id, {"admissible": "yes"})  # the other process moves the case on
    misses = engine.rt.live.misses
    view = engine.case(case_id)  # must read the other process's state, not the stale cached one
    assert engine.rt.live.misses == misses + 1
    assert view.data["admissible"] == "yes"
    assert {t.name for t in engine.tasks(case_id=case_id)} == {t.name for t in other.tasks(case_id=case_id)}
    with pytest.raises(StaleCase):  # the old task is gone for both
        engine.complete_task(review.id, {"admissible": "no"})


def test_a_failed_command_does_not_leave_a_half_advanced_workflow_behind(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {})
    review = engine.tasks(case_id=case_id)[0]
    before = engine.case(case_id)

    def fail_after_advancing(*_args):
        raise RuntimeError("crash between the step and the commit")

    engine.rt.extras["after_store"] = (*engine.rt.extras.get("after_store", ()), fail_after_advancing)
    with pytest.raises(RuntimeError):
        engine.complete_task(review.id, {"admissible": "yes"})
    engine.rt.extras["after_store"] = engine.rt.extras["after_store"][:-1]
    after = engine.case(case_id)  # rolled back in the database, and nothing advanced in memory
    assert after.version == before.version
    assert "admissible" not in after.data
    engine.complete_task(review.id, {"admissible": "no"})
    assert engine.case(case_id).outcome == "end_rejected"


def test_a_shredded_case_leaves_no_live_workflow(tmp_path):
    engine, _ = fixture_engine(tmp_path)
    case_id = engine.start_case("fixture", {})
    review = engine.tasks(case_id=case_id)[0]
    assert case_id in engine.rt.live._items
    bootstrap.create_dev_keys(engine.settings)  # the content keyring that shredding destroys keys in
    engine.shred_case(case_id, reason="retention period over", actor="admin", destroy_epoch=False)
    assert case_id not in engine.rt.live._items
    assert not [k for k in engine.rt.sealer.inner._deks if k[1] == case_id]  # nor its data key
    with pytest.raises((NotFound, StaleCase)):
        engine.complete_task(review.id, {"admissible": "yes"})


def test_size_zero_turns_the_cache_off_and_the_lru_is_bounded():
    off = LiveWorkflows(0)
    off.put("t", "c", "sealed", object(), "bundle")
    assert len(off) == 0 and off.take("t", "c", "sealed", "bundle") is None
    lru = LiveWorkflows(2)
    for name in ("a", "b", "c"):
        lru.put("t", name, "sealed", name.upper(), "bundle")
    assert lru.take("t", "a", "sealed", "bundle") is None  # evicted
    assert lru.take("t", "c", "other-seal", "bundle") is None  # another seal: miss, and gone
    assert lru.take("t", "c", "sealed", "bundle") is None
    assert lru.take("other-tenant", "b", "sealed", "bundle") is None  # another sealing context: miss


def test_the_cache_size_comes_from_the_environment_and_bad_values_are_refused(tmp_path):
    from engine.config import Settings
    from engine.errors import ConfigurationError

    assert Settings.from_env({}).state_cache_size == 256
    assert Settings.from_env({"PROBIDAD_STATE_CACHE": "0"}).state_cache_size == 0
    for bad in ("many", "-1", "1.5"):
        with pytest.raises(ConfigurationError, match="PROBIDAD_STATE_CACHE"):
            Settings.from_env({"PROBIDAD_STATE_CACHE": bad})
    engine, _ = fixture_engine(tmp_path)
    off = bootstrap.build(engine.settings.with_(state_cache_size=0), clock=engine.rt.clock,
                          workflow_keyring=engine.rt.sealer.keyring, definitions=[FIXTURE_DEFINITION])
    case_id = off.start_case("fixture", {})
    off.complete_task(off.tasks(case_id=case_id)[0].id, {"admissible": "no"})
    assert (off.rt.live.hits, len(off.rt.live)) == (0, 0)
    assert not off.rt.sealer.inner._deks  # and no data keys remembered either
    assert off.case(case_id).outcome == "end_rejected"


class _CountingRing:
    """A keyring that counts how often the KEK is read."""

    def __init__(self, inner):
        self.inner, self.reads = inner, 0

    def get(self, version):
        self.reads += 1
        return self.inner.get(version)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_a_case_data_key_is_unwrapped_once_and_a_tampered_wrap_is_still_checked(tmp_path):
    from engine.domain.model import SealedBlob
    from keys.errors import DecryptionFailed

    engine, _ = fixture_engine(tmp_path)
    sealer = engine.rt.sealer.inner
    ring = sealer.keyring = _CountingRing(sealer.keyring)
    first = sealer.seal("default", "c1", b"state 1", None)
    second = sealer.seal("default", "c1", b"state 2", first)
    assert ring.reads == 1  # the second seal reused the remembered key
    assert sealer.open("default", "c1", second) == b"state 2"
    flipped = SealedBlob(second.ciphertext, bytes([second.wrapped_key[0] ^ 1]) + second.wrapped_key[1:],
                         second.kek_version)
    with pytest.raises(DecryptionFailed):
        sealer.open("default", "c1", flipped)  # another wrapped key: unwrapped, and refused
    with pytest.raises(DecryptionFailed):
        sealer.open("default", "c2", second)  # another case (AAD): not served from the memory either
