"""`phananh digest weekly|monthly|overdue`: the portal's digests and the overdue reminder, as
SMS, HTML or JSON, printed, written to files or sent (SMTP, webhook, SMS gateway)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from analytics.cli import _parse, _with_db
from analytics.digest import DigestParams, digest
from analytics.digest_messages import Contacts, digest_messages, load_contacts, overdue_messages
from analytics.notify import Kind, Message, NotifyError, notifier
from analytics.overdue import OverdueParams, overdue
from analytics.settings import AnalyticsSettings
from analytics.windows import TZ, last_month, last_week, week_window

app = typer.Typer(help="Weekly and monthly digests, overdue reminders.", no_args_is_help=True)
err = Console(stderr=True)

UnitOpt = Annotated[list[str] | None, typer.Option("--unit", help="Handling unit (repeatable).")]
WardOpt = Annotated[list[str] | None, typer.Option("--ward", help="Ward code (repeatable).")]
FieldOpt = Annotated[str | None, typer.Option(help="Field codes, comma-separated.")]
FormatOpt = Annotated[
    Literal["sms", "html", "json"], typer.Option("--format", help="sms, html or json.")
]
EachOpt = Annotated[
    Literal["unit", "ward"] | None,
    typer.Option(help="One message per unit or per ward (else one for all asked)."),
]
DiacriticsOpt = Annotated[
    bool, typer.Option("--diacritics", help="SMS with diacritics (UCS-2, 70 per SMS).")
]
SendOpt = Annotated[
    Literal["stdout", "file", "smtp", "webhook", "sms"],
    typer.Option("--send", help="stdout, file (the outbox folder), smtp, webhook or sms."),
]
ToOpt = Annotated[list[str] | None, typer.Option("--to", help="Recipient (repeatable).")]
ContactsOpt = Annotated[
    Path | None,
    typer.Option(
        "--recipients", exists=True, dir_okay=False, help="CSV: scope, code, email, phone."
    ),
]


def _contacts(path: Path | None) -> Contacts:
    try:
        return load_contacts(path) if path else {}
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _deliver(messages: list[Message], send: Kind) -> None:
    """Hand the messages to the notifier; say where they went and stop on a failure."""
    settings = AnalyticsSettings()
    try:
        out = notifier(send, settings)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    failed = 0
    for message in messages:
        try:
            out.send(message)
        except NotifyError as exc:
            failed += 1
            err.print(f"[red]không gửi được[/red] {message.name}: {exc}")
    if send != "stdout":
        where = settings.outbox if send == "file" else send
        err.print(f"{len(messages) - failed}/{len(messages)} tin đã gửi ({where}).")
    if failed:
        raise typer.Exit(1)


def _report(
    kind: Literal["week", "month"],
    window: str,
    unit: list[str] | None,
    ward: list[str] | None,
    field: str | None,
    fmt: str,
    each: str | None,
    diacritics: bool,
    send: Kind,
    to: list[str] | None,
    recipients: Path | None,
) -> None:
    params = _parse(
        DigestParams,
        {"window": window, "kind": kind, "unit": unit, "ward": ward, "field": field},
    )
    contacts = _contacts(recipients)
    d = _with_db(lambda conn: digest(conn, params))
    diacritics = diacritics or AnalyticsSettings().sms_diacritics
    _deliver(digest_messages(d, fmt, each, diacritics, contacts, tuple(to or ())), send)


@app.command("weekly")
def weekly_cmd(
    week: Annotated[
        str | None, typer.Option(help="ISO week, e.g. 2025-W23 (default: the last one).")
    ] = None,
    unit: UnitOpt = None,
    ward: WardOpt = None,
    field: FieldOpt = None,
    fmt: FormatOpt = "sms",
    each: EachOpt = None,
    diacritics: DiacriticsOpt = False,
    send: SendOpt = "stdout",
    to: ToOpt = None,
    recipients: ContactsOpt = None,
) -> None:
    """The weekly digest: Friday 15:00 to Friday 15:00 (Asia/Ho_Chi_Minh)."""
    week = week or last_week(datetime.now(UTC)).name
    _report("week", week, unit, ward, field, fmt, each, diacritics, send, to, recipients)


@app.command("monthly")
def monthly_cmd(
    month: Annotated[
        str | None, typer.Option(help="Month, e.g. 2025-10 (default: the last one).")
    ] = None,
    unit: UnitOpt = None,
    ward: WardOpt = None,
    field: FieldOpt = None,
    fmt: FormatOpt = "sms",
    each: EachOpt = None,
    diacritics: DiacriticsOpt = False,
    send: SendOpt = "stdout",
    to: ToOpt = None,
    recipients: ContactsOpt = None,
) -> None:
    """The monthly report: the 25th at 12:00 to the 25th at 12:00 (Asia/Ho_Chi_Minh)."""
    month = month or last_month(datetime.now(UTC)).name
    _report("month", month, unit, ward, field, fmt, each, diacritics, send, to, recipients)


@app.command("overdue")
def overdue_cmd(
    week: Annotated[
        str | None, typer.Option(help="Judge at this week's cut-off (e.g. 2025-W23).")
    ] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
            help="Cut-off, local time (default: now).",
        ),
    ] = None,
    unit: UnitOpt = None,
    field: FieldOpt = None,
    limit: Annotated[int, typer.Option(help="Complaints listed per unit.")] = 20,
    fmt: FormatOpt = "sms",
    diacritics: DiacriticsOpt = False,
    send: SendOpt = "stdout",
    to: ToOpt = None,
    recipients: ContactsOpt = None,
) -> None:
    """Overdue reminders: per unit, the complaints open and past due at the cut-off."""
    if week and as_of:
        raise typer.BadParameter("give --week or --as-of, not both")
    try:
        cutoff = week_window(week).end if week else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    cutoff = cutoff or (as_of.replace(tzinfo=TZ) if as_of else None)
    params = _parse(OverdueParams, {"unit": unit, "field": field, "as_of": cutoff, "limit": limit})
    contacts = _contacts(recipients)
    report = _with_db(lambda conn: overdue(conn, params))
    diacritics = diacritics or AnalyticsSettings().sms_diacritics
    _deliver(overdue_messages(report, fmt, diacritics, contacts, tuple(to or ())), send)
