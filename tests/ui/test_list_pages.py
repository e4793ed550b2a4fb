from __future__ import annotations

from PySide6.QtCore import Qt

from outreach.services import communities as com
from outreach.services import posts as posts_svc
from outreach.ui import confirm
from outreach.ui.communities_page import CommunitiesPage
from outreach.ui.posts_page import PostsPage
from outreach.ui.table_model import PAGE_SIZE, ROW_ID_ROLE


def test_models_pass_qts_model_tester(qtbot, qtmodeltester, store, actor, seeded):
    page = CommunitiesPage(store, actor)
    qtbot.addWidget(page)
    qtmodeltester.check(page.model)
    posts = PostsPage(store, actor)
    qtbot.addWidget(posts)
    qtmodeltester.check(posts.model)


def test_posts_arrive_a_page_at_a_time(qtbot, store, actor, seeded):
    page = PostsPage(store, actor)
    qtbot.addWidget(page)
    assert page.model.rowCount() == PAGE_SIZE
    assert page.model.canFetchMore()
    page.model.fetchMore()
    assert page.model.rowCount() == 2 * PAGE_SIZE
    page.model.fetchMore()
    assert page.model.rowCount() == 450 and not page.model.canFetchMore()
    assert page.totals.text() == "450 posts · 213.8 hours"


def test_header_click_sorts_in_sql(qtbot, store, actor, seeded):
    page = PostsPage(store, actor)
    qtbot.addWidget(page)
    views = [c.title for c in page.model.columns].index("Views")
    page.table.sortByColumn(views, Qt.SortOrder.DescendingOrder)
    assert page.model.query.sort == "views" and page.model.query.descending
    assert page.model.index(0, views).data() == "449"
    page.table.sortByColumn(views, Qt.SortOrder.AscendingOrder)
    assert page.model.index(0, views).data() == "0"
    assert page.model.rowCount() == PAGE_SIZE  # still paged after re-sorting


def test_filters_and_search_narrow_rows_and_totals(qtbot, store, actor, seeded):
    a, b = seeded
    page = PostsPage(store, actor)
    qtbot.addWidget(page)
    page.kind.setCurrentIndex(page.kind.findData("advice"))
    assert page.model.total == 90
    assert page.totals.text().startswith("90 posts")
    page.community.setCurrentIndex(page.community.findData(b))
    assert page.model.total == 30
    page.kind.setCurrentIndex(0)
    page.community.setCurrentIndex(0)
    page.search.setText("Post 44")
    qtbot.waitUntil(lambda: page.model.total == 14)  # x44 and 440-449, after the debounce


def test_communities_filter_by_platform(qtbot, store, actor, seeded):
    page = CommunitiesPage(store, actor)
    qtbot.addWidget(page)
    assert page.totals.text() == "2 communities · 450 posts · 213.8 hours"
    page.platform.setCurrentIndex(page.platform.findData("forum"))
    assert page.model.total == 1
    assert page.model.index(0, 0).data() == "HealthUnlocked"


def test_refresh_keeps_the_place_after_an_edit(qtbot, store, actor, seeded):
    page = PostsPage(store, actor)
    qtbot.addWidget(page)
    page.resize(1000, 500)
    page.model.fetchMore()
    target = page.model.index(300, 0).data(ROW_ID_ROLE)
    page.select_id(target)
    row = posts_svc.get_post(store, target)
    posts_svc.update_post(
        store, actor, target, posts_svc.PostData(**{**row.data().__dict__, "title": "Edited"})
    )
    page.refresh()
    assert page.current_id() == target
    assert page.model.rowCount() >= 301
    assert page.model.row_at(page.model.position_of(target)).title == "Edited"


def test_delete_asks_first(qtbot, store, actor, seeded, monkeypatch):
    page = PostsPage(store, actor)
    qtbot.addWidget(page)
    first = page.model.index(0, 0).data(ROW_ID_ROLE)
    page.select_id(first)
    monkeypatch.setattr(confirm, "ask", lambda *a: False)
    page.delete_selected()
    assert posts_svc.list_posts(store).total == 450
    monkeypatch.setattr(confirm, "ask", lambda *a: True)
    page.delete_selected()
    assert posts_svc.list_posts(store).total == 449
    assert page.totals.text().startswith("449 posts")


def test_archive_hides_posts_until_show_archived(qtbot, store, actor, seeded):
    page = PostsPage(store, actor)
    qtbot.addWidget(page)
    page.select_id(page.model.index(0, 0).data(ROW_ID_ROLE))
    page.archive(True)
    assert page.model.total == 449
    page.archived.setChecked(True)
    assert page.model.total == 450


def test_empty_database_shows_the_empty_state(qtbot, store, actor):
    page = PostsPage(store, actor)
    qtbot.addWidget(page)
    assert page.stack.currentWidget() is page.empty
    assert "No posts yet" in page.empty.text()
    communities = CommunitiesPage(store, actor)
    qtbot.addWidget(communities)
    assert "catalog" in communities.empty.text()


def test_delete_empty_community_asks_first(qtbot, store, actor, monkeypatch):
    cid = com.create_community(store, actor, com.CommunityData(name="Quiet forum"))
    page = CommunitiesPage(store, actor)
    qtbot.addWidget(page)
    page.select_id(cid)
    asked = []
    monkeypatch.setattr(confirm, "ask", lambda *a: asked.append(a) or True)
    page.delete_selected()
    assert asked and com.list_communities(store).total == 0
