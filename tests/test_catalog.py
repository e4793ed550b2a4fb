from __future__ import annotations

from outreach.models import PLATFORMS
from outreach.services import communities as com
from outreach.services.catalog import add_from_catalog, load_catalog, present_names


def test_catalog_ships_valid_entries():
    entries = load_catalog()
    assert len(entries) >= 10
    names = [e.name.lower() for e in entries]
    assert len(names) == len(set(names))
    for entry in entries:
        assert entry.platform in PLATFORMS
        assert com.validate(com.normalize(entry.data())) == {}, entry.name


def test_add_from_catalog_skips_what_is_present(store, actor):
    first, second = (e.name for e in load_catalog()[:2])
    assert len(add_from_catalog(store, actor, [first])) == 1
    assert first.lower() in present_names(store)
    added = add_from_catalog(store, actor, [first, second])
    assert len(added) == 1
    row = com.get_community(store, added[0])
    assert row.name == second and row.rules_summary
