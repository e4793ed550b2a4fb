"""A practice server (PostgreSQL): its URL, its password and a connection test.

The URL a practice saves (QSettings, --db, $OUTREACH_DB) never carries the
password: that stays in the OS keychain (outreach.secrets) under the user, host
and port, and is handed to the driver only when a connection is made. Without a
stored password, libpq's own PGPASSWORD and ~/.pgpass still apply.
"""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

from .errors import OutreachError

log = logging.getLogger("outreach.server")

DRIVER = "postgresql+psycopg"
DEFAULT_PORT = 5432
CONNECT_TIMEOUT_S = 5


class ServerUnreachable(OutreachError):
    """The connection test failed; the message says why and what to check."""


def build_url(host: str, port: int | None, database: str, user: str) -> str:
    """The server's URL without a password (safe to save and to show)."""
    url = URL.create(
        DRIVER,
        username=user.strip() or None,
        host=host.strip(),
        port=port or None,
        database=database.strip(),
    )
    return url.render_as_string(hide_password=False)


def password_name(url: str) -> str:
    from .secrets import server_password_name

    parsed = make_url(url)
    return server_password_name(parsed.username or "", parsed.host or "", parsed.port)


def stored_password(url: str) -> str | None:
    from .secrets import get_secret

    return get_secret(password_name(url))


def install_keychain_password(engine: Engine, url: str) -> None:
    """Give each new connection the keychain's password for this server, when the
    URL has none of its own."""
    if make_url(url).password is not None:
        return
    name = password_name(url)

    @event.listens_for(engine, "do_connect")
    def _with_password(_dialect, _record, _cargs, cparams):
        from .secrets import get_secret

        password = get_secret(name)
        if password is not None and "password" not in cparams:
            cparams["password"] = password


def try_connection(url: str, password: str | None) -> str:
    """Connect once and say what is there; ServerUnreachable with a sentence
    otherwise. Runs off the GUI thread (it may wait CONNECT_TIMEOUT_S)."""
    import psycopg
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool

    parsed = make_url(url)
    where = f"{parsed.host}:{parsed.port or DEFAULT_PORT}"
    if password:
        parsed = parsed.set(password=password)
    engine = create_engine(
        parsed,
        poolclass=NullPool,
        hide_parameters=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
    )
    if not password:
        install_keychain_password(engine, url)
    try:
        with engine.connect() as conn:
            version = conn.exec_driver_sql("SHOW server_version").scalar() or "?"
            if inspect(conn).has_table("alembic_version"):
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                held = f"it holds an Outreach database (schema {revision})"
            elif inspect(conn).get_table_names():
                held = (
                    "it holds other tables, so Outreach will not use it; ask for an empty "
                    "database of its own"
                )
            else:
                held = "the database is empty: Outreach sets it up the first time it opens it"
    except DBAPIError as exc:
        raise ServerUnreachable(_explain(exc.orig, where, parsed)) from None
    except psycopg.Error as exc:  # raised before SQLAlchemy wraps it (rare)
        raise ServerUnreachable(_explain(exc, where, parsed)) from None
    finally:
        engine.dispose()
    log.info("Connection test to a PostgreSQL %s server succeeded", version)
    return f"Connected to PostgreSQL {version} at {where}; {held}."


def _explain(orig, where: str, url) -> str:
    # libpq's own words can include the host and user but never the password;
    # still, only their first line is kept and nothing is logged.
    text = str(orig).lower()
    if "password authentication failed" in text or "no password supplied" in text:
        return (
            f"The server at {where} refused the user name or password; check them (the "
            "password is case-sensitive)."
        )
    if "does not exist" in text and "database" in text:
        return (
            f"The server at {where} has no database called {url.database}; ask your "
            "administrator to create it (an empty one is fine: Outreach sets it up)."
        )
    if "timeout" in text or "timed out" in text:
        return (
            f"The server at {where} did not answer within {CONNECT_TIMEOUT_S} seconds; check "
            "the host name, and that this computer may reach it (network, VPN, firewall)."
        )
    if "refused" in text or "could not connect" in text or "no route" in text:
        return (
            f"Nothing answers at {where}: check the host name and port, and that the "
            "server is running and accepts connections from this computer."
        )
    if "could not translate host name" in text or "name or service not known" in text:
        return f"The host name in {where} is not known; check its spelling."
    first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return f"Cannot connect to {where}: {first}."
