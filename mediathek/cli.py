"""The ``mediathek`` command: serve, migrate, createadmin, demo, notify, backup, restore."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import secrets
import sys
from pathlib import Path

from mediathek.settings import ConfigurationError, Settings


def _dev_secret(settings: Settings) -> None:
    """Outside production, keep one generated secret in the data dir so that all workers
    (and restarts) agree on it; production must set MEDIATHEK_SECRET_KEY."""
    if os.environ.get("MEDIATHEK_SECRET_KEY"):
        return
    path = settings.data_dir / "secret_key"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    os.environ["MEDIATHEK_SECRET_KEY"] = path.read_text().strip()


async def _migrate(settings: Settings) -> None:
    from mediathek.db import make_engine, migrate

    await migrate(make_engine(settings.database_url))


async def _demo(settings: Settings) -> dict:
    from mediathek.db import make_engine, use_engine
    from mediathek.demo import load_demo

    use_engine(make_engine(settings.database_url))
    return await load_demo(settings)


def _print_demo_logins() -> None:
    from mediathek.demo import DEMO_LOGINS

    print("\nDemo-Zugänge (nur zum Ausprobieren):")
    for login in DEMO_LOGINS:
        print(f"  {login.who:<40} {login.email:<36} Passwort: {login.password}")


async def _has_accounts(settings: Settings) -> bool:
    from mediathek.db import make_engine, use_engine
    from mediathek.patrons.tables import Account

    use_engine(make_engine(settings.database_url))
    return await Account.count() > 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    _dev_secret(settings)
    settings = Settings.from_env()
    asyncio.run(_migrate(settings))
    if args.demo:
        result = asyncio.run(_demo(settings))
        if result.get("skipped"):
            print("Demo-Daten: der Katalog ist nicht leer, es wurde nichts hinzugefügt.")
        else:
            print(
                f"Demo-Daten geladen: {result['titles']} Titel, {result['copies']} Exemplare, "
                f"{result['patrons']} Ausleihende, {result['loans']} Ausleihen."
            )
        _print_demo_logins()
    elif not asyncio.run(_has_accounts(settings)):
        print(
            "\nNoch kein Benutzerkonto vorhanden. Legen Sie das erste Admin-Konto an mit:\n"
            "  uv run mediathek createadmin\n"
        )
    print(
        f"\nMediathek läuft auf http://{args.host}:{args.port}/  (Beenden mit Strg+C)\n", flush=True
    )
    options = dict(
        host=args.host,
        port=args.port,
        log_level="warning" if not args.verbose else "info",
        # The app reads X-Forwarded-For itself, and only from MEDIATHEK_TRUSTED_PROXIES;
        # uvicorn's own handling would believe any client on 127.0.0.1.
        proxy_headers=False,
    )
    if args.workers > 1:
        # The workers are forked from this process after the app and the search's data are
        # loaded here once, and share them (see mediathek.web.prefork).
        from mediathek.app import create_app
        from mediathek.web.prefork import serve_forked

        app = create_app(settings)
        serve_forked(uvicorn.Config(app, **options), args.workers, _load_search)
        return 0
    uvicorn.run("mediathek.app:create_app_from_env", factory=True, **options)
    return 0


def _load_search() -> None:
    from mediathek.search.index import warm_up

    asyncio.run(warm_up())


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(_migrate(settings))
    print("Datenbank ist auf dem neuesten Stand.")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(_migrate(settings))
    result = asyncio.run(_demo(settings))
    if result.get("skipped"):
        print("Der Katalog ist nicht leer: Demo-Daten werden nur in eine leere Datenbank geladen.")
        return 1
    print(f"Demo-Daten geladen: {result}")
    _print_demo_logins()
    return 0


async def _createadmin(settings: Settings, email: str, password: str) -> int:
    from mediathek.db import make_engine, use_engine
    from mediathek.errors import DomainError
    from mediathek.patrons.logins import create_account
    from mediathek.vocab import Role

    use_engine(make_engine(settings.database_url))
    try:
        return await create_account(email, password, Role.admin, display_name="Verwaltung")
    except DomainError as exc:
        errors = getattr(exc, "errors", {})
        raise SystemExit("Fehler: " + " ".join([exc.message, *errors.values()])) from exc


def cmd_createadmin(args: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(_migrate(settings))
    email = args.email or input("E-Mail-Adresse des Admin-Kontos: ").strip()
    password = args.password or os.environ.get("MEDIATHEK_ADMIN_PASSWORD")
    if not password:
        password = getpass.getpass("Passwort (mindestens 10 Zeichen): ")
        if getpass.getpass("Passwort wiederholen: ") != password:
            print("Die Passwörter stimmen nicht überein.", file=sys.stderr)
            return 1
    asyncio.run(_createadmin(settings, email, password))
    from mediathek.patrons.logins import normalise_email

    print(
        f"Admin-Konto {normalise_email(email)} angelegt. "
        f"Anmelden unter {settings.base_url}/anmelden"
    )
    return 0


async def _notify(settings: Settings, args: argparse.Namespace) -> dict:
    from datetime import date

    from mediathek.clock import today
    from mediathek.db import connection_pool, make_engine, use_engine
    from mediathek.jobs.locks import release_abandoned_leases
    from mediathek.jobs.scheduler import run_daily_once
    from mediathek.notifications.delivery import deliver_outbox

    engine = make_engine(settings.database_url)
    use_engine(engine)
    result: dict = {}
    async with connection_pool(engine):
        day = date.fromisoformat(args.date) if args.date else today(settings.tz)
        if args.dry_run:
            from mediathek.jobs.daily import preview_daily_jobs

            return {"preview": await preview_daily_jobs(day), "day": day}
        await release_abandoned_leases()
        if not args.deliver_only:
            result["daily"] = await run_daily_once(settings, day)
        if not args.create_only:
            result["delivery"] = await deliver_outbox(settings)
    return result


def cmd_notify(args: argparse.Namespace, settings: Settings) -> int:
    if args.deliver_only and args.create_only:
        print("--deliver-only und --create-only schließen sich aus.", file=sys.stderr)
        return 2
    if args.dry_run and args.deliver_only:
        print("--dry-run prüft die Tagesjobs; mit --deliver-only gäbe es nichts zu prüfen.")
        return 2
    if args.date:
        from datetime import date

        from mediathek.clock import today

        try:
            day = date.fromisoformat(args.date)
        except ValueError:
            print(f"--date {args.date!r}: bitte als JJJJ-MM-TT angeben.", file=sys.stderr)
            return 2
        if day > today(settings.tz) and not args.dry_run:
            print(
                f"--date {day:%d.%m.%Y} liegt in der Zukunft. Ein echter Lauf würde Mahnstufen "
                "vorzeitig erhöhen und Ausleihen vorzeitig anonymisieren. Zum Ausprobieren "
                "bitte --dry-run angeben (ändert nichts, sendet nichts).",
                file=sys.stderr,
            )
            return 2
    result = asyncio.run(_notify(settings, args))
    if "preview" in result:
        _print_preview(result["preview"], result["day"])
        return 0
    for job, outcome in result.get("daily", {}).items():
        print(f"Tagesjob {job}: {outcome}")
    delivery = result.get("delivery")
    if delivery:
        if delivery.get("skipped"):
            print("Versand: läuft bereits in einer anderen Instanz.")
        else:
            print(
                f"Versand: {delivery['sent']} gesendet, {delivery['failed']} fehlgeschlagen, "
                f"{delivery['retry']} später erneut, {delivery['done']} nicht mehr nötig."
            )
        if delivery.get("error"):
            print(f"Fehler: {delivery['error']}", file=sys.stderr)
            return 1
    return 0


def _print_preview(preview, day) -> None:
    from mediathek.notifications.kinds import KIND_LABELS

    print(f"Probelauf für den {day:%d.%m.%Y}: nichts wird gespeichert, keine E-Mail versendet.")
    for job, outcome in preview.results.items():
        print(f"Tagesjob {job}: {outcome}")
    print(f"Benachrichtigungen, die entstehen würden: {len(preview.notices)}")
    for n in preview.notices:
        level = f", Stufe {n.level}" if n.level else ""
        items = f", {n.items} Medien" if n.items else ""
        print(f"  {n.patron or '(ohne Person)'}: {KIND_LABELS.get(n.kind, n.kind)}{level}{items}")
    print(f"Ausleihen, deren Mahnstufe steigen würde: {preview.levels_raised}")
    print(f"Ausleihen, die anonymisiert würden: {preview.anonymised}")


async def _anonymise(settings: Settings) -> int:
    from mediathek.clock import today
    from mediathek.db import connection_pool, make_engine, use_engine
    from mediathek.reports.privacy import anonymise_returned_loans

    engine = make_engine(settings.database_url)
    use_engine(engine)
    async with connection_pool(engine):
        return await anonymise_returned_loans(today(settings.tz))


def cmd_anonymise(args: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(_migrate(settings))
    count = asyncio.run(_anonymise(settings))
    print(f"{count} zurückgegebene Ausleihen anonymisiert.")
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from mediathek.backup import BackupError, create_backup

    try:
        path = asyncio.run(create_backup(settings, Path(args.to) if args.to else None))
    except BackupError as exc:
        print(f"Sicherung fehlgeschlagen: {exc}", file=sys.stderr)
        return 1
    print(f"Sicherung geschrieben: {path} ({path.stat().st_size:,} Bytes)".replace(",", "."))
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from mediathek.backup import BackupError, restore_backup

    print(
        "Hinweis: Die Mediathek (mediathek serve) muss während der Wiederherstellung "
        "angehalten sein; danach neu starten."
    )
    try:
        result = asyncio.run(restore_backup(settings, Path(args.path), force=args.force))
    except BackupError as exc:
        print(f"Wiederherstellung abgebrochen: {exc}", file=sys.stderr)
        return 1
    if result.safety_copy:
        print(f"Der bisherige Stand wurde vorher gesichert: {result.safety_copy}")
    print(f"Wiederhergestellt aus {result.source}. Die Mediathek kann wieder gestartet werden.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mediathek", description="Mediathek – Ausleihsystem")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="Datenbank migrieren und Webserver starten")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="Demo-Daten laden (nur in leere DB)")
    serve.add_argument("--verbose", action="store_true", help="jede Anfrage protokollieren")
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="Migrationen anwenden (SQLite oder PostgreSQL)")
    migrate.set_defaults(func=cmd_migrate)

    admin = sub.add_parser("createadmin", help="ein Admin-Konto anlegen")
    admin.add_argument("--email")
    admin.add_argument("--password", help="besser über MEDIATHEK_ADMIN_PASSWORD oder Eingabe")
    admin.set_defaults(func=cmd_createadmin)

    demo = sub.add_parser("demo", help="Demo-Daten in eine leere Datenbank laden")
    demo.set_defaults(func=cmd_demo)

    notify = sub.add_parser(
        "notify", help="Erinnerungen erstellen und E-Mails versenden (einmal, z. B. per cron)"
    )
    notify.add_argument("--deliver-only", action="store_true", help="nur wartende E-Mails senden")
    notify.add_argument("--create-only", action="store_true", help="nur Tagesjobs, nichts senden")
    notify.add_argument(
        "--date",
        help="Stichtag JJJJ-MM-TT für die Tagesjobs (Standard: heute; nicht in der Zukunft)",
    )
    notify.add_argument(
        "--dry-run",
        action="store_true",
        help="nur zeigen, was die Tagesjobs tun würden: nichts speichern, nichts senden",
    )
    notify.set_defaults(func=cmd_notify)

    backup = sub.add_parser(
        "backup", help="Sicherung der Datenbank schreiben (auch während die App läuft)"
    )
    backup.add_argument(
        "--to", help="Datei oder Verzeichnis (Standard: MEDIATHEK_BACKUP_DIR bzw. data/backups)"
    )
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser(
        "restore", help="Datenbank aus einer Sicherung wiederherstellen (App vorher anhalten)"
    )
    restore.add_argument("path", help="die Sicherungsdatei")
    restore.add_argument(
        "--force", action="store_true", help="auch eine nicht leere Datenbank überschreiben"
    )
    restore.set_defaults(func=cmd_restore)

    anonymise = sub.add_parser(
        "anonymise", help="zurückgegebene Ausleihen nach der Frist anonymisieren (einmal)"
    )
    anonymise.set_defaults(func=cmd_anonymise)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigurationError as exc:
        print(f"Konfigurationsfehler: {exc}", file=sys.stderr)
        return 2
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    return args.func(args, settings) or 0


if __name__ == "__main__":
    sys.exit(main())
