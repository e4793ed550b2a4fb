"""The command line. Every command calls the same services as the app.

Exit codes: 0 success, 1 a check or an operation failed, 2 bad input or usage.
Errors go to stderr as one clear sentence.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from . import __version__
from .context import PRACTITIONER
from .encryption import BadRecoveryKey, KeyNeeded
from .errors import Cancelled, Conflict, OutreachError, ValidationError
from .services.csv_table import CsvError

OK, FAILED, BAD_INPUT = 0, 1, 2
KEY_FILE_HINT = (
    "Put that recovery key in a file only you can read and add --key-file FILE "
    "(e.g. `outreach --key-file kit.txt db check`); it is then kept in the keychain."
)
LATER: dict[str, str] = {}  # commands that arrive with later work


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 on usage errors too, but says it our way
        self.print_usage(sys.stderr)
        raise UsageError(f"{message}. Run `{self.prog} --help` for the usage.")


def _db_option(parser: argparse.ArgumentParser, top: bool = False) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=None if top else argparse.SUPPRESS,
        help="the database file or URL (default: $OUTREACH_DB, then the user data folder)",
    )
    parser.add_argument(
        "--key-file",
        metavar="PATH",
        default=None if top else argparse.SUPPRESS,
        help="a file holding an encrypted database's recovery key (for automation, or a "
        "new computer); the key is then kept in the keychain",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=None if top else argparse.SUPPRESS,
        help="your username, where the practice asks everyone to sign in (the password is "
        "asked for)",
    )
    parser.add_argument(
        "--password-file",
        metavar="PATH",
        default=None if top else argparse.SUPPRESS,
        help="a file whose first line is the password (for scheduled imports; keep it "
        "readable by you alone)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="outreach", description="Outreach: the clinician's outreach CRM.")
    parser.add_argument("--version", action="version", version=f"Outreach {__version__}")
    _db_option(parser, top=True)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _db_option(p)
        return p

    p = command("demo", "fill the database with deterministic demo data")
    p.add_argument("--scale", default="small", help="small, large (~100k posts) or a post count")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--force", action="store_true", help="replace existing data (backed up first)")
    p.add_argument("--json", action="store_true")

    db = command("db", "check or upgrade the database")
    db_sub = db.add_subparsers(dest="db_command", parser_class=_Parser, required=True)
    p = db_sub.add_parser("check", help="integrity, foreign keys, schema revision, row counts")
    _db_option(p)
    p.add_argument("--json", action="store_true")
    p = db_sub.add_parser("upgrade", help="bring the schema up to this version (backup first)")
    _db_option(p)
    p = db_sub.add_parser("recovery-kit", help="print an encrypted database's recovery kit (PDF)")
    _db_option(p)
    p.add_argument("output", metavar="FILE.pdf")
    p = db_sub.add_parser("encryption", help="whether the database is encrypted, and why")
    _db_option(p)
    p = db_sub.add_parser(
        "copy", help="copy every record into a new, empty database (e.g. PostgreSQL) and verify"
    )
    _db_option(p)
    p.add_argument("--to", required=True, metavar="PATH_OR_URL", help="the new database")

    p = command("backup", "copy the database to a backup file, or list the backups")
    p.add_argument("--to", metavar="FILE", help="where to write (default: the backups folder)")
    p.add_argument("--list", action="store_true", help="list the backups (date, reason, size)")
    p = command("restore", "replace the database with a backup (the current one is kept)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--yes", action="store_true", help="do not ask before replacing")

    settings = command("settings", "read or change the practice profile")
    s_sub = settings.add_subparsers(dest="settings_command", parser_class=_Parser, required=True)
    p = s_sub.add_parser("get", help="show one setting, or all")
    _db_option(p)
    p.add_argument("key", nargs="?")
    p.add_argument("--json", action="store_true")
    p = s_sub.add_parser("set", help="change one setting")
    _db_option(p)
    p.add_argument("key")
    p.add_argument("value")

    p = command("import", "import a CSV file (all rows or none)")
    p.add_argument("kind", choices=["communities", "posts", "contacts", "intake", "revenue"])
    p.add_argument("file", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="check every row, change nothing")
    p.add_argument(
        "--map", action="append", default=[], metavar="FIELD=HEADER", help="map a column"
    )
    p.add_argument("--json", action="store_true")

    p = command("export", "export to a CSV file")
    p.add_argument("kind", choices=["communities", "posts", "contacts", "referrals"])
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--anonymised",
        action="store_true",
        help="leave out names, emails, phones and free text (contacts appear by handle or "
        "initials)",
    )

    p = command("scan", "scan a post's text for risky phrases (exit 1 when anything blocks)")
    p.add_argument("file", metavar="FILE|-", help="a text file, or - for standard input")
    p.add_argument("--json", action="store_true")
    report = command("report", "make a report")
    r_sub = report.add_subparsers(dest="report_name", parser_class=_Parser, required=True)
    p = r_sub.add_parser("roi", help="is each community worth the time?")
    _db_option(p)
    p.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--attribution", choices=["first", "last", "linear"], default="first")
    p.add_argument("--community", action="append", default=[], metavar="NAME")
    p.add_argument("--format", choices=["pdf", "csv"], default="pdf")
    p.add_argument("-o", dest="output", required=True, metavar="FILE")
    p.add_argument(
        "--anonymised", action="store_true", help="leave out post titles and free-text answers"
    )
    p = r_sub.add_parser("evidence", help="the period's compliance checks as a PDF")
    _db_option(p)
    p.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    p.add_argument("output", metavar="FILE.pdf")
    command("self-test", "check that this installation works")
    return parser


def _key(args) -> bytes | None:
    from .encryption import read_key_file

    return read_key_file(args.key_file) if getattr(args, "key_file", None) else None


def _open(args, sign_in: bool = True):
    """The store, with ``store.actor`` the person the command acts as: signed in
    with --user where the practice asks for it (or when given), as in the app."""
    from .services.backups import daily_backup_warning
    from .store import open_store

    store = open_store(args.db, key=_key(args), encrypt_new=True)
    try:
        if sign_in:
            store.actor = _actor(store, args)
    except BaseException:
        store.dispose()
        raise
    _say_encryption(store)
    # The first command of the day takes the daily backup (one directory listing
    # otherwise); a failure is said but does not stop the command.
    warning = daily_backup_warning(store)
    if warning:
        print(warning, file=sys.stderr)
    return store


def _actor(store, args):
    from .services import auth

    user = getattr(args, "user", None)
    if not user:
        if auth.sign_in_needed(store):
            raise UsageError(
                "This practice asks everyone to sign in: add --user NAME (the password is "
                "asked for, or read from --password-file FILE)."
            )
        return auth.actor_without_sign_in(store)
    return auth.sign_in(store, user, _password(args, user))


def _password(args, user: str) -> str:
    path = getattr(args, "password_file", None)
    if path:
        try:
            lines = Path(path).expanduser().read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                f"Cannot read the password file {path}: {getattr(exc, 'strerror', None) or exc}."
            ) from None
        return lines[0] if lines else ""
    if not sys.stdin.isatty():
        raise UsageError(
            "Signing in needs a password, and there is no terminal to ask on: give "
            "--password-file FILE (a file whose first line is the password)."
        )
    import getpass

    return getpass.getpass(f"Password for {user}: ")


def _say_encryption(store) -> None:
    """Once, when this command created the database: whether it is encrypted."""
    state = store.encryption
    if state is None or not state.created:
        return
    if state.encrypted:
        print(
            f"Created {store.display_name} encrypted; {state.reason} Print its recovery kit "
            "now with `outreach db recovery-kit FILE.pdf` and keep it apart from this "
            "computer: without it, a new computer or a restored backup cannot open the data.",
            file=sys.stderr,
        )
    else:
        print(f"Created {store.display_name}. {state.sentence}", file=sys.stderr)


def _print_json(data) -> None:
    print(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def cmd_demo(args) -> int:
    from .services.demo import generate_demo

    store = _open(args)
    try:
        result = generate_demo(
            store, store.actor, scale=args.scale, seed=args.seed, force=args.force
        )
    finally:
        store.dispose()
    if args.json:
        _print_json(asdict(result))
    else:
        print(f"Added {result.communities} communities and {result.posts:,} posts of demo data.")
    return OK


def cmd_db(args) -> int:
    from .migrate import check_openable, ensure_current
    from .services.dbcheck import check_database
    from .store import open_store

    if args.db_command in ("recovery-kit", "encryption"):
        return _db_encryption(args)
    if args.db_command == "copy":
        return _db_copy(args)
    store = open_store(args.db, migrate=False, key=_key(args))
    try:
        if args.db_command == "upgrade":
            outcome = ensure_current(store)
            if outcome is None:
                print(f"{store.display_name} is already up to date.")
            else:
                where = f" (backup: {outcome.backup})" if outcome.backup else ""
                print(f"Upgraded {store.display_name} to {outcome.after}{where}.")
            return OK
        check_openable(store)
        report = check_database(store)
    finally:
        store.dispose()
    if args.json:
        _print_json({**asdict(report), "ok": report.ok})
    else:
        print(f"Database:    {report.database}")
        print(f"Schema:      {report.revision or '(empty)'} (this app: {report.head})")
        print(f"Integrity:   {report.integrity}")
        print(f"Foreign keys: {report.foreign_key_problems} problems")
        print(f"Evidence:    {report.evidence}")
        print(f"Audit trail: {report.audit}")
        for table, count in report.counts.items():
            print(f"  {table:<20} {count:>10,}")
    for problem in report.problems:
        print(problem, file=sys.stderr)
    return OK if report.ok else FAILED


def _db_copy(args) -> int:
    from .services.db_copy import copy_database

    store = _open(args)
    try:
        report = copy_database(store, args.to)
    finally:
        store.dispose()
    print(f"Copied {report.source} to {report.target} in {report.seconds:.1f} s:")
    for t in report.tables:
        mark = "ok" if t.ok else f"DIFFERS (source {t.source_rows:,}, {t.source_sha256[:12]})"
        print(f"  {t.table:<20} {t.target_rows:>10,}  sha256 {t.target_sha256[:12]}  {mark}")
    for problem in report.check_problems:
        print(f"db check on the copy: {problem}", file=sys.stderr)
    if not report.ok:
        print("The copy does not match the original; do not use it.", file=sys.stderr)
        return FAILED
    print(f"{report.rows:,} rows; every table's count and checksum match, and db check passes.")
    return OK


def _db_encryption(args) -> int:
    from .encryption import current_recovery_key
    from .services.recovery_kit import write_recovery_kit

    store = _open(args)
    try:
        if args.db_command == "encryption":
            print(store.encryption.sentence)
            return OK if store.encryption.encrypted else FAILED
        key = current_recovery_key(store, store.actor)
        write_recovery_kit(args.output, key, store.display_name)
    finally:
        store.dispose()
    print(
        f"Wrote the recovery kit to {args.output}. Print it, keep it somewhere safe away from "
        "this computer, and delete the file."
    )
    return OK


def cmd_backup(args) -> int:
    from .services.backups import back_up_now, backups_of, human_size

    if args.list and args.to:
        raise UsageError("Give --list or --to, not both.")
    store = _open(args)
    try:
        if args.list:
            backups = backups_of(store)
        else:
            dest = back_up_now(store, args.to)
    finally:
        store.dispose()
    if not args.list:
        print(f"Backed up to {dest}")
        return OK
    if not backups:
        print("There are no backups yet; `outreach backup` takes one.")
    for b in backups:
        print(f"{b.taken_at:%Y-%m-%d %H:%M}  {b.label:<26} {human_size(b.size):>9}  {b.path}")
    return OK


def cmd_restore(args) -> int:
    from .services.backups import require_sqlite, restore_database
    from .store import resolve_url

    # By path, not through open_store: a damaged database must still be replaceable.
    target = require_sqlite(resolve_url(args.db))
    source = Path(args.file).expanduser()
    if not source.is_file():
        raise UsageError(f"There is no file {source}; give the backup file to restore.")
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(
                "Restoring replaces the whole database, so it asks first; there is no "
                "terminal to ask on. Add --yes to restore without asking."
            )
        answer = input(
            f"Replace {target} with {source}? The current database is backed up first. [y/N] "
        )
        if answer.strip().lower() not in ("y", "yes"):
            raise Cancelled("Nothing was changed.")
    outcome = restore_database(target, source, _restorer(args, target), source_key=_key(args))
    upgraded = (
        f" It was upgraded from schema {outcome.revision_before}." if outcome.upgraded else ""
    )
    kept = f" The previous database is kept at {outcome.kept_as}." if outcome.kept_as else ""
    print(f"Restored {target} from {source}.{upgraded}{kept}")
    return OK


def _restorer(args, target: Path):
    """Who restores: a signed-in owner where the database asks everyone to sign
    in (restore_database refuses anyone else). A database that does not open
    (damaged, an older schema, a key not on this computer) can still be replaced
    by whoever runs the command: that is what a restore is for."""
    from .services import auth
    from .store import open_store

    if not target.exists():
        return PRACTITIONER
    try:
        store = open_store(args.db, migrate=False, key=_key(args))
    except Exception:  # noqa: BLE001 - see above
        return PRACTITIONER
    try:
        try:
            auth.sign_in_needed(store)
        except Exception:  # noqa: BLE001 - no accounts table to ask: see above
            return PRACTITIONER
        return _actor(store, args)
    finally:
        store.dispose()


def cmd_settings(args) -> int:
    from .services.profile import SETTINGS, get_setting, set_setting

    store = _open(args)
    try:
        if args.settings_command == "set":
            value = set_setting(store, store.actor, args.key, args.value)
            print(f"{args.key} = {value}")
            return OK
        keys = [args.key] if args.key else list(SETTINGS)
        values = {key: get_setting(store, key) for key in keys}
    finally:
        store.dispose()
    if args.json:
        _print_json(values)
    elif args.key:
        print(values[args.key])
    else:
        for key, value in values.items():
            print(f"{key} = {value}")
    return OK


def _overrides(pairs: list[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        field, sep, header = pair.partition("=")
        if not sep or not field.strip():
            raise UsageError(f"--map takes FIELD=HEADER, not '{pair}'.")
        overrides[field.strip()] = header.strip()
    return overrides


def cmd_import(args) -> int:
    from .services.importers import import_file
    from .services.intake_import import import_intake, import_revenue

    overrides = _overrides(args.map)
    store = _open(args)
    try:
        if args.kind == "intake":
            result = import_intake(store, store.actor, args.file, overrides, args.dry_run)
        elif args.kind == "revenue":
            result = import_revenue(store, store.actor, args.file, overrides, args.dry_run)
        elif args.kind == "contacts":
            raise UsageError(
                "Contacts arrive through their intake forms: use `outreach import intake FILE`."
            )
        else:
            result = import_file(
                store, store.actor, args.kind, args.file, overrides=overrides, dry_run=args.dry_run
            )
    finally:
        store.dispose()
    if args.json:
        _print_json({**asdict(result), "ok": result.ok, "rejected": len(result.errors)})
    for error in result.errors:
        print(str(error), file=sys.stderr)
    if result.errors:
        print(result.summary(), file=sys.stderr)
        return BAD_INPUT
    if not args.json:
        print(result.summary())
    return OK


def cmd_export(args) -> int:
    from .services.importers import export_file
    from .services.intake_import import export_pipeline

    store = _open(args)
    try:
        if args.kind in ("contacts", "referrals"):
            count = export_pipeline(store, args.kind, args.file, anonymised=args.anonymised)
        else:
            if args.anonymised:
                raise UsageError(
                    f"{args.kind.capitalize()} hold no contact's details; --anonymised is "
                    "for contacts and referrals."
                )
            count = export_file(store, args.kind, args.file)
    finally:
        store.dispose()
    plain = " (anonymised)" if args.anonymised else ""
    print(f"Exported {count:,} {args.kind}{plain} to {args.file}")
    return OK


def _period_args(args):
    from .timeutil import parse_date

    try:
        start, end = parse_date(args.date_from), parse_date(args.date_to)
    except ValueError as exc:
        raise UsageError(f"{exc}.") from None
    if end < start:
        raise UsageError("--to is before --from; swap them.")
    return start, end


def cmd_scan(args) -> int:
    """Scan text with the practice's own disclaimer and signature left out, as the
    composer does; no database is needed when there is none yet."""
    from .services.risk_scan import findings_to_text, scan

    if args.file == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(args.file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                f"Cannot read {args.file}: {getattr(exc, 'strerror', None) or exc}; give a "
                "UTF-8 text file, or - to read standard input."
            ) from None
    findings = scan(text, ignore=_own_texts(args))
    if args.json:
        _print_json(
            {
                "findings": [f.to_dict() for f in findings],
                "blocking": sum(f.blocks for f in findings),
            }
        )
    else:
        print(findings_to_text(findings, text))
    return FAILED if any(f.blocks for f in findings) else OK


def _own_texts(args) -> list[str]:
    import os

    from .paths import default_db_path
    from .services.profile import get_profile

    # Scanning needs no database: don't create one just to find there is no profile.
    if args.db is None and not os.environ.get("OUTREACH_DB") and not default_db_path().exists():
        return []
    store = _open(args, sign_in=False)  # the disclaimer and signature only
    try:
        profile = get_profile(store)
    finally:
        store.dispose()
    return [t for t in (profile.disclaimer.strip(), profile.signature.strip()) if t]


def cmd_report(args) -> int:
    if args.report_name == "evidence":
        return _report_evidence(args)
    from .services.communities import find_by_name
    from .services.roi import Period, roi_report, write_csv, write_monthly_csv
    from .timeutil import parse_date

    try:
        period = Period(parse_date(args.date_from), parse_date(args.date_to))
    except ValueError as exc:
        raise UsageError(f"{exc}.") from None
    if period.end < period.start:
        raise UsageError("--to is before --from; swap them.")
    store = _open(args)
    try:
        ids = []
        with store.session() as session:
            for name in args.community:
                community = find_by_name(session, name)
                if community is None:
                    raise UsageError(f"There is no community called '{name}'.")
                ids.append(community.id)
        report = roi_report(store, period, args.attribution, ids or None)
        if args.format == "pdf":
            from .services.profile import get_profile
            from .services.roi_pdf import write_roi_pdf

            practice = get_profile(store).practitioner_name
            pages = write_roi_pdf(
                report, args.output, practice_name=practice, anonymised=args.anonymised
            )
            print(
                f"Wrote the {pages}-page review to {args.output} "
                f"({args.attribution}-touch attribution)."
            )
            return OK
        count = write_csv(report, args.output)
        # The month-by-month table goes beside the per-community one, named after it.
        output = Path(args.output)
        monthly = output.with_name(f"{output.stem}-monthly.csv")
        months = write_monthly_csv(report, monthly)
    finally:
        store.dispose()
    print(f"Wrote {count} communities to {args.output} ({args.attribution}-touch attribution).")
    print(f"Wrote {months} months to {monthly}.")
    return OK


def _report_evidence(args) -> int:
    from .services.evidence_pdf import write_evidence_pdf

    start, end = _period_args(args)
    store = _open(args)
    try:
        pages = write_evidence_pdf(store, start, end, args.output)
    finally:
        store.dispose()
    print(f"Wrote the compliance evidence for {start} to {end} to {args.output} ({pages} pages).")
    return OK


def _later(what: str, owner: str) -> int:
    print(f"`outreach {what}` is not available yet; it arrives with {owner}.", file=sys.stderr)
    return FAILED


def cmd_self_test(args) -> int:
    # A temporary database, never --db: the self-test must not touch the user's data.
    from .selftest import run_self_test

    return run_self_test()


def cmd_gui(args) -> int:
    from .app import main as gui_main

    return gui_main(db=args.db)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": cmd_demo,
    "db": cmd_db,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "settings": cmd_settings,
    "import": cmd_import,
    "export": cmd_export,
    "report": cmd_report,
    "scan": cmd_scan,
    "self-test": cmd_self_test,
}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            return cmd_gui(args)
        if args.command in LATER:
            return _later(args.command, LATER[args.command])
        from .log import setup_logging

        setup_logging()
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return BAD_INPUT
    except (ValidationError, Conflict, BadRecoveryKey) as exc:
        print(str(exc), file=sys.stderr)
        return BAD_INPUT
    except Cancelled as exc:
        print(str(exc), file=sys.stderr)
        return FAILED
    except KeyNeeded as exc:
        print(f"{exc} {KEY_FILE_HINT}", file=sys.stderr)
        return FAILED
    except OutreachError as exc:
        print(str(exc), file=sys.stderr)
        return FAILED
    except CsvError as exc:
        print(str(exc), file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return FAILED
    except Exception as exc:
        # A database error that escaped a service ("database is locked", a full
        # disk) becomes a sentence; anything else is a bug and keeps its trace.
        from .store import user_message

        message = user_message(exc)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return FAILED


if __name__ == "__main__":
    sys.exit(main())
