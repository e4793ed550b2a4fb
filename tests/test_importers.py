from __future__ import annotations

import csv
from pathlib import Path

import pytest

from outreach.errors import Cancelled
from outreach.services import communities as com
from outreach.services import posts as posts_svc
from outreach.services.csv_table import CsvError
from outreach.services.importers import export_file, import_file, preview_import

# The service, report and import tests run on SQLite and PostgreSQL (conftest.py).
pytestmark = pytest.mark.both_engines

POSTS_HEADER = (
    "community,posted_at,kind,title,url,minutes_spent,replies,reactions,views,clicks,body\n"
)


def write(path: Path, text: str, encoding="utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def two_communities(store, actor):
    com.create_community(store, actor, com.CommunityData(name="r/insomnia"))
    com.create_community(store, actor, com.CommunityData(name="HealthUnlocked"))


def test_posts_import_all_rows(store, actor, tmp_path, two_communities):
    path = write(
        tmp_path / "posts.csv",
        POSTS_HEADER
        + "r/insomnia,2025-03-01,advice,Waking at 3am,,20,3,4,100,2,text\n"
        + "healthunlocked,2025-03-02 14:30,Education,Caffeine,https://x.org/a,15,,,,,\n",
    )
    result = import_file(store, actor, "posts", path)
    assert result.ok and result.imported == 2
    rows = posts_svc.list_posts(store, posts_svc.PostQuery(sort="posted_at", descending=False)).rows
    assert [r.community_name for r in rows] == ["r/insomnia", "HealthUnlocked"]
    assert rows[0].check_status == "unchecked"  # imported advice is never checked
    assert rows[0].source == "import"
    assert rows[1].check_status == "not_required" and rows[1].views == 0


def test_one_malformed_row_changes_nothing_and_is_named(store, actor, tmp_path, two_communities):
    path = write(
        tmp_path / "posts.csv",
        POSTS_HEADER
        + "r/insomnia,2025-03-01,advice,Fine,,20,0,0,0,0,\n"
        + "r/insomnia,not a date,advice,Bad date,,20,0,0,0,0,\n"
        + "r/insomnia,2025-03-03,advice,Fine too,,20,0,0,0,0,\n"
        + "Nowhere,2025-03-03,rant,Bad,,-4,0,0,0,0,\n",
    )
    result = import_file(store, actor, "posts", path)
    assert not result.ok and result.imported == 0
    assert [e.row for e in result.errors] == [3, 5]
    assert "posted_at" in result.errors[0].message
    assert "Nowhere" in result.errors[1].message and "kind" in result.errors[1].message
    assert "minutes_spent" in result.errors[1].message
    assert posts_svc.list_posts(store).total == 0
    assert "Nothing was imported" in result.summary()


def test_headers_are_mapped_by_case_spacing_and_synonyms(store, actor, tmp_path, two_communities):
    path = write(
        tmp_path / "posts.csv",
        "Community ; Date ; Type ; Subject ; Minutes ; Likes\n"
        "r/insomnia;01/03/2025;answer;Hi;10;7\n",
        encoding="cp1252",
    )
    preview = preview_import("posts", path)
    assert preview.delimiter == ";"
    assert preview.mapping["posted_at"] == "Date"
    assert preview.mapping["reactions"] == "Likes"
    result = import_file(store, actor, "posts", path)
    assert result.ok, result.errors
    row = posts_svc.list_posts(store).rows[0]
    assert row.minutes_spent == 10 and row.reactions == 7


def test_map_override(store, actor, tmp_path, two_communities):
    path = write(
        tmp_path / "p.csv", "where,when,what,effort,title\nr/insomnia,2025-03-01,answer,12,Hi\n"
    )
    with pytest.raises(CsvError, match="no column for community"):
        import_file(store, actor, "posts", path)
    result = import_file(
        store,
        actor,
        "posts",
        path,
        overrides={
            "community": "where",
            "posted_at": "when",
            "kind": "what",
            "minutes_spent": "effort",
        },
    )
    assert result.ok and posts_svc.list_posts(store).rows[0].minutes_spent == 12


def test_dry_run_changes_nothing(store, actor, tmp_path, two_communities):
    path = write(tmp_path / "p.csv", POSTS_HEADER + "r/insomnia,2025-03-01,answer,T,,1,0,0,0,0,\n")
    result = import_file(store, actor, "posts", path, dry_run=True)
    assert result.ok and result.imported == 1 and result.dry_run
    assert posts_svc.list_posts(store).total == 0


def test_reimporting_the_same_posts_skips_them(store, actor, tmp_path, two_communities):
    path = write(
        tmp_path / "p.csv", POSTS_HEADER + "r/insomnia,2025-03-01 10:00,answer,T,,1,0,0,0,0,\n"
    )
    assert import_file(store, actor, "posts", path).imported == 1
    again = import_file(store, actor, "posts", path)
    assert again.imported == 0 and again.skipped == 1
    assert posts_svc.list_posts(store).total == 1


def test_cancel_leaves_nothing(store, actor, tmp_path, two_communities):
    lines = "".join(
        f"r/insomnia,2025-03-01 10:{i % 60:02d},answer,T{i},,1,0,0,0,0,\n" for i in range(2500)
    )
    path = write(tmp_path / "p.csv", POSTS_HEADER + lines)
    calls = []

    def progress(done, total):
        calls.append(done)
        return len(calls) < 4

    with pytest.raises(Cancelled):
        import_file(store, actor, "posts", path, progress=progress)
    assert posts_svc.list_posts(store).total == 0


def test_communities_import_creates_and_updates(store, actor, tmp_path):
    com.create_community(store, actor, com.CommunityData(name="r/insomnia"))
    path = write(
        tmp_path / "c.csv",
        "Name\tPlatform\tURL\tAdvice allowed\tPromotion ratio\tIntake code\n"
        "r/insomnia\tReddit\thttps://www.reddit.com/r/insomnia/\tyes\t10%\tRSLEEP24\n"
        "Mayo Clinic Connect\tforum\t\tno\t\t\n",
    )
    result = import_file(store, actor, "communities", path)
    assert result.ok, result.errors
    assert (result.imported, result.updated) == (1, 1)
    rows = {r.name: r for r in com.list_communities(store).rows}
    assert rows["r/insomnia"].platform == "reddit"
    assert rows["r/insomnia"].promotion_ratio_limit_pct == 10
    assert rows["r/insomnia"].intake_code == "RSLEEP24"
    assert rows["Mayo Clinic Connect"].advice_allowed is False


def test_communities_import_rejects_duplicates_and_bad_values(store, actor, tmp_path):
    path = write(
        tmp_path / "c.csv",
        "name,platform,advice_allowed\nA,reddit,yes\na,forum,no\nB,myspace,maybe\n",
    )
    result = import_file(store, actor, "communities", path)
    assert [e.row for e in result.errors] == [3, 4]
    assert "repeats row 2" in result.errors[0].message
    assert com.list_communities(store).total == 0


def test_export_round_trips_and_is_safe_from_formulas(store, actor, tmp_path, two_communities):
    path = write(
        tmp_path / "p.csv",
        POSTS_HEADER + 'r/insomnia,2025-03-01 10:00,answer,"=HYPERLINK(""x"")",,5,1,2,3,4,"a, b"\n',
    )
    assert import_file(store, actor, "posts", path).ok
    out = tmp_path / "out.csv"
    assert export_file(store, "posts", out) == 1
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["title"] == '\'=HYPERLINK("x")'
    assert rows[0]["body"] == "a, b"
    # The export imports back into a fresh database as the same post.
    assert export_file(store, "communities", tmp_path / "c.csv") == 2


def test_export_then_import_into_another_database(store, actor, tmp_path, two_communities):
    from outreach.store import open_store

    posts_svc.create_post(
        store,
        actor,
        posts_svc.PostData(
            community_id=com.community_choices(store)[0][0],
            posted_at=posts_svc.now_utc().replace(microsecond=0),
            kind="education",
            title="Über sleep",
            minutes_spent=7,
        ),
    )
    export_file(store, "communities", tmp_path / "c.csv")
    export_file(store, "posts", tmp_path / "p.csv")
    other = open_store(tmp_path / "other.db")
    try:
        assert import_file(other, actor, "communities", tmp_path / "c.csv").imported == 2
        result = import_file(other, actor, "posts", tmp_path / "p.csv")
        assert result.ok, result.errors
        row = posts_svc.list_posts(other).rows[0]
        assert row.title == "Über sleep" and row.minutes_spent == 7
    finally:
        other.dispose()


def test_missing_file_is_a_clear_error(store, actor, tmp_path):
    with pytest.raises(CsvError):
        import_file(store, actor, "posts", tmp_path / "nope.csv")
