"""The main window: a sidebar of pages, menus with shortcuts, a status bar.

It is built in two steps, so that a start can paint it before the database is
opened through the store (and SQLAlchemy imported): the shell (sidebar,
menus, status bar, the Dashboard showing figures kept from the last run), then
attach(store) with every other page. Given a store, both happen at once."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from outreach import APP_NAME, __version__
from outreach.context import ROLE_LABELS

from .dashboard_page import DashboardPage

PAGES = [
    "Dashboard",
    "Communities",
    "Posts",
    "Contacts",
    "Referrals",
    "Compliance",
    "Reports",
    "Settings",
]


class MainWindow(QMainWindow):
    # What the Settings page says, relayed from the moment it is built, so the
    # status bar's privacy notice can follow it without building it at start.
    settings_message = Signal(str)

    def __init__(self, store, actor, parent=None, *, cached=None, display_name: str = ""):
        """``store`` None: the shell only, its Dashboard showing ``cached``
        (dashboard_cache.Cached), until attach(store)."""
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.setWindowTitle(APP_NAME)
        self.setAccessibleName("Outreach main window")
        self._built = False
        self.lock = None
        self.list_pages: tuple = ()
        self.dashboard = DashboardPage(store)
        if cached is not None:
            self.dashboard.show_cached(cached)
        # The other pages take their places at attach; Settings only when first
        # shown or used: its Privacy section asks the keychain whether a database
        # could be encrypted, and importing keyring and finding its backend costs
        # more than painting the whole window.
        self._slots = {title: QWidget() for title in PAGES[1:]}
        self._settings_page = None
        self.sidebar = QListWidget()
        self.sidebar.setAccessibleName("Pages")
        self.sidebar.setFixedWidth(170)
        self.stack = QStackedWidget()
        for title in PAGES:
            self.sidebar.addItem(title)
            self.stack.addWidget(self.dashboard if title == "Dashboard" else self._slots[title])
        self.sidebar.setCurrentRow(0)
        self.sidebar.currentRowChanged.connect(self._show_page)
        central = QWidget()
        row = QHBoxLayout(central)
        row.addWidget(self.sidebar)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self.statusBar().showMessage(
            f"Database: {store.display_name if store is not None else display_name}"
        )
        self.who = QLabel()
        self.who.setAccessibleName("Signed in as")
        self.statusBar().addPermanentWidget(self.who)
        self._show_account()
        self._restore_geometry()
        if store is not None:
            self.attach(store)

    def attach(self, store) -> None:
        """The database is open: every page, the lock, the data actions."""
        from .auto_lock import AutoLock
        from .communities_page import CommunitiesPage
        from .compliance_page import CompliancePage
        from .contacts_page import ContactsPage
        from .data_actions import DataActions
        from .list_page import loading_on_first_show
        from .posts_page import PostsPage
        from .referrals_page import ReferralsPage
        from .reports_page import ReportsPage

        self.store = store
        self.dashboard.set_store(store)
        # Only the page shown at start may cost anything at start: the others
        # load their data when first shown (a list page's first rows and totals
        # take seconds on a practice's five years of posts).
        with loading_on_first_show():
            self.communities = CommunitiesPage(store, self.actor)
            self.posts = PostsPage(store, self.actor)
            self.contacts = ContactsPage(store, self.actor)
            self.referrals = ReferralsPage(store, self.actor)
            self.compliance = CompliancePage(store, self.actor)
            self.reports = ReportsPage(store)
        for title, page in (
            ("Communities", self.communities),
            ("Posts", self.posts),
            ("Contacts", self.contacts),
            ("Referrals", self.referrals),
            ("Compliance", self.compliance),
            ("Reports", self.reports),
        ):
            self._replace_slot(title, page)
        self.list_pages = (self.communities, self.posts, self.contacts, self.referrals)
        for page in self.list_pages:
            page.status_message.connect(self.show_message)
        for page in self.list_pages:
            page.data_changed.connect(self.on_data_changed)
        self.data = DataActions(self)
        self._connect_dashboard_and_reports()
        self._connect_compliance()
        self.lock = AutoLock(self, store, self.actor)
        self._show_account()
        self._built = True
        page = QSettings().value("window/page", "Dashboard")
        self.show_page(page if page in PAGES else "Dashboard")

    @staticmethod
    def starts_on_dashboard() -> bool:
        """Whether the window opens on the Dashboard (the page shown last)."""
        return QSettings().value("window/page", "Dashboard") in ("Dashboard", None, "")

    def _replace_slot(self, title: str, page: QWidget) -> None:
        slot = self._slots.pop(title)
        index = PAGES.index(title)
        was_current = self.stack.currentWidget() is slot
        self.stack.insertWidget(index, page)
        self.stack.removeWidget(slot)
        slot.deleteLater()
        if was_current:
            self.stack.setCurrentWidget(page)

    # -- pages ---------------------------------------------------------------
    @property
    def settings_page(self):
        """The Settings page, built the first time it is shown or used."""
        if self._settings_page is None:
            from .settings_page import SettingsPage

            page = SettingsPage(self.store, self.actor)
            page.status_message.connect(self.show_message)
            page.status_message.connect(self.settings_message)
            page.saved.connect(self.lock.configure)
            self._settings_page = page
            self._replace_slot("Settings", page)
        return self._settings_page

    def _show_page(self, row: int) -> None:
        if not self._built:
            return  # the shell painted before the store: only the Dashboard
        if PAGES[row] == "Settings":
            self.settings_page  # noqa: B018 (built on its first visit)
        self.stack.setCurrentIndex(row)
        page = self.stack.currentWidget()
        if page in self.list_pages:
            page.ensure_loaded()  # also when the window is not shown yet
        elif page is self.dashboard and self._built:
            # Back on the Dashboard: its figures again. At start its first show
            # reads them, once.
            self.dashboard.refresh()

    def show_page(self, title: str) -> None:
        self.sidebar.setCurrentRow(PAGES.index(title))

    def current_page_title(self) -> str:
        return PAGES[self.stack.currentIndex()]

    def on_data_changed(self) -> None:
        for page in (self.posts, self.contacts, self.referrals):
            page.reload_communities()
        for page in self.list_pages:
            page.refresh()
        self.dashboard.refresh()

    def _connect_dashboard_and_reports(self) -> None:
        self.dashboard.open_contacts_view.connect(self.show_contacts_view)
        self.dashboard.add_community.connect(self._new_community)
        self.dashboard.load_demo.connect(self.data.load_demo)
        self.dashboard.open_reports.connect(lambda: self.show_page("Reports"))
        self.reports.status_message.connect(self.show_message)

    def show_contacts_view(self, view: str) -> None:
        """The Contacts page filtered to a view such as "follow_ups" or "losing_touch"."""
        # The view first: a page not loaded yet then loads once, already filtered.
        combo = self.contacts.view
        combo.setCurrentIndex(max(0, combo.findData(view)))
        self.show_page("Contacts")

    def _connect_compliance(self) -> None:
        self.compliance.status_message.connect(self.show_message)
        self.compliance.data_changed.connect(self.on_data_changed)
        self.compliance.open_settings.connect(self.show_policy_settings)

    def show_policy_settings(self) -> None:
        self.show_page("Settings")
        self.settings_page.show_compliance()

    def show_message(self, text: str) -> None:
        if not self.lock.is_locked:  # a finished task's message would show past the lock
            self.statusBar().showMessage(text, 8000)

    # -- menus ---------------------------------------------------------------
    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(
            file_menu, "Import &communities...", lambda: self.data.import_csv("communities")
        )
        self._action(file_menu, "Import &posts...", lambda: self.data.import_csv("posts"), "Ctrl+I")
        self._action(file_menu, "Import &intake forms...", lambda: self.data.import_csv("intake"))
        self._action(file_menu, "Import pa&yments...", lambda: self.data.import_csv("revenue"))
        file_menu.addSeparator()
        self._action(
            file_menu, "Export c&ommunities...", lambda: self.data.export_csv("communities")
        )
        self._action(
            file_menu, "E&xport posts...", lambda: self.data.export_csv("posts"), "Ctrl+Shift+E"
        )
        file_menu.addSeparator()
        self.demo_action = self._action(
            file_menu, "Load &demo data...", lambda: self.data.load_demo()
        )
        self._action(file_menu, "&Backups...", self._show_backups)
        self._action(file_menu, "Connect to a practice &server...", self._show_server_dialog)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        edit = bar.addMenu("&Edit")
        self._action(edit, "New &community", self._new_community, "Ctrl+Shift+N")
        self._action(edit, "&New post", self._new_post, QKeySequence.StandardKey.New)
        self._action(edit, "&Edit selected", self._edit, "Ctrl+E")
        self._action(edit, "&Delete selected", self._delete, QKeySequence.StandardKey.Delete)
        self._action(edit, "&Find", self._find, QKeySequence.StandardKey.Find)
        view = bar.addMenu("&View")
        for number, title in enumerate(PAGES, start=1):
            self._action(
                view,
                f"&{number} {title}",
                lambda _=False, t=title: self.show_page(t),
                f"Ctrl+{number}",
            )
        account = bar.addMenu("&Account")
        account.setToolTipsVisible(True)
        self.lock_action = self._action(account, "&Lock now", self.lock_now, "Ctrl+L")
        self.sign_out_action = self._action(account, "Sign &out...", self.sign_out)
        self.password_action = self._action(account, "Change my &password...", self.change_password)
        account.addSeparator()
        self.users_action = self._action(account, "&Users and sign-in...", self.show_users)
        self.audit_action = self._action(account, "Audit &trail...", self.show_audit)
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About Outreach", self._about)

    def _show_server_dialog(self) -> None:
        from .server_dialog import show_server_dialog

        show_server_dialog(self)

    def _show_backups(self) -> None:
        from .backup_dialog import show_backups  # imported when asked for, not at start

        show_backups(self)

    def _list_page(self):
        page = self.stack.currentWidget()
        return page if page in self.list_pages else None

    def _new_community(self) -> None:
        self.show_page("Communities")
        self.communities.new()

    def _new_post(self) -> None:
        self.show_page("Posts")
        self.posts.new()

    def _edit(self) -> None:
        if page := self._list_page():
            page.edit_selected()

    def _delete(self) -> None:
        page = self._list_page()
        button = getattr(page, "delete_button", None)
        if button is not None and not button.isEnabled():
            self.show_message(button.toolTip())
        elif page is not None and page.table.hasFocus():
            page.delete_selected()

    def _find(self) -> None:
        if page := self._list_page():
            page.focus_search()

    def _about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("About Outreach")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            f"Outreach {__version__}\n\nA local-first CRM for clinicians' outreach in online "
            f"patient communities.\n\nDatabase: {self.store.display_name}"
        )
        box.exec()

    # -- account: who is signed in, the lock, users, the audit trail ------------
    def _show_account(self) -> None:
        owner, has_account = self.actor.is_owner, self.actor.user_id is not None
        role = ROLE_LABELS.get(self.actor.role, self.actor.role)
        self.who.setText(f"Signed in as {self.actor.name} · {role}" if has_account else "")
        if self.lock is not None:
            self.lock_action.setEnabled(self.lock.available)
            self.lock_action.setToolTip(self.lock.unavailable_reason)
        self.sign_out_action.setEnabled(has_account and self.lock is not None)
        self.sign_out_action.setToolTip(
            "" if has_account else "Nobody signs in: the practice has no accounts yet."
        )
        self.password_action.setText(
            "Change my &password..." if has_account else "Set a &password..."
        )
        only = "Only the practitioner can {}."
        for action, what in (
            (self.users_action, "manage accounts"),
            (self.audit_action, "read the audit trail"),
            (self.demo_action, "load demo data"),
        ):
            action.setEnabled(owner)
            action.setToolTip("" if owner else only.format(what))
        for button in self.dashboard.findChildren(QPushButton):
            if button.accessibleName() == "Load demo data" and not owner:
                button.setEnabled(False)
                button.setToolTip(only.format("load demo data"))

    def set_actor(self, actor) -> None:
        """The practitioner set their first password: changes are now recorded as
        their account, and the lock can ask for it."""
        self.actor = self.store.actor = actor
        self.lock.set_actor(actor)
        self._show_account()

    def lock_now(self) -> None:
        self.lock.lock()

    def sign_out(self) -> None:
        """Asks first; then whoever uses the computer next signs in."""
        self.lock.sign_out()

    def change_password(self) -> None:
        from .users_dialog import own_password_dialog

        dialog = own_password_dialog(self.store, self.actor, self)
        if dialog is None:
            self.show_users()
        elif dialog.exec():
            self.show_message("Your password was changed")

    def show_users(self) -> None:
        from .users_dialog import UsersDialog

        dialog = UsersDialog(self.store, self.actor, self)
        dialog.exec()
        if dialog.first_actor is not None and self.actor.user_id is None:
            self.set_actor(dialog.first_actor)
        self.settings_page.security.refresh()

    def show_audit(self) -> None:
        from .audit_page import AuditDialog

        AuditDialog(self.store, self.actor, self).exec()

    # -- geometry ------------------------------------------------------------
    def _restore_geometry(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/page", self.current_page_title())
        super().closeEvent(event)
