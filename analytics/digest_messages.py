"""Digests and reminders as messages for the notifiers: one per scope (the city, or each unit
or ward asked for), in the chosen format, addressed from a contacts file."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Literal

from analytics.digest_text import digest_html, digest_sms, overdue_html, sms_text, subject
from analytics.notify import Message
from analytics.overdue import overdue_sms

Format = Literal["sms", "html", "json"]
Contacts = dict[tuple[str, str], list[str]]


def load_contacts(path: Path) -> Contacts:
    """Recipients per scope and code from a CSV with columns scope, code, email, phone
    (scope: city, unit or ward; a row may give an e-mail, a phone number or both)."""
    contacts: Contacts = defaultdict(list)
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = {"scope", "code"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, 2):
            scope = (row.get("scope") or "").strip()
            if scope not in ("city", "unit", "ward"):
                raise ValueError(f"{path}:{line}: scope must be city, unit or ward")
            for key in ("email", "phone"):
                if (row.get(key) or "").strip():
                    contacts[scope, (row.get("code") or "").strip()].append(row[key].strip())
    return dict(contacts)


def digest_messages(
    d: dict,
    fmt: Format,
    each: Literal["unit", "ward"] | None = None,
    diacritics: bool = False,
    contacts: Contacts | None = None,
    to: tuple[str, ...] = (),
) -> list[Message]:
    """Messages of a digest: the whole digest (or each unit's or ward's) in `fmt`."""
    contacts = contacts or {}
    if each:
        items = d[f"{each}s"]
    elif d["asked"]["unit"] or d["asked"]["ward"]:
        items = [*d["units"], *d["wards"]] if fmt == "sms" else [None]
    else:
        items = [d["city"]] if fmt == "sms" else [None]
    messages = []
    for item in items:
        one = d if item is None else _only(d, item)
        head = item or d["city"]
        recipients = (*to, *contacts.get((head["scope"], head["code"] or ""), ()))
        messages.append(
            Message(
                name=f"{d['window']}-{head['scope']}-{head['code'] or 'city'}",
                subject=subject(d, head),
                text=sms_text(d, head),
                html=digest_html(one) if fmt == "html" else None,
                sms=digest_sms(d, head, diacritics) if fmt == "sms" else None,
                data=one if fmt == "json" else None,
                to=recipients,
            )
        )
    return messages


def overdue_messages(
    report: dict,
    fmt: Format,
    diacritics: bool = False,
    contacts: Contacts | None = None,
    to: tuple[str, ...] = (),
) -> list[Message]:
    """One reminder per unit with overdue complaints (all units in one for html and json
    without contacts)."""
    contacts = contacts or {}
    if fmt != "sms" and not contacts:
        return [
            Message(
                name="overdue",
                subject=f"Nhắc việc: {report['total']} phản ánh quá hạn",
                text=f"{report['total']} phản ánh quá hạn tại {report['as_of_label']}.",
                html=overdue_html(report) if fmt == "html" else None,
                data=report if fmt == "json" else None,
                to=to,
            )
        ]
    messages = []
    for unit in report["units"]:
        one = {**report, "units": [unit], "total": unit["overdue"]}
        reminder = overdue_sms(report, unit, diacritics)
        messages.append(
            Message(
                name=f"overdue-{unit['code'] or 'none'}",
                subject=f"Nhắc việc: {unit['overdue']} phản ánh quá hạn",
                text=reminder.text,
                html=overdue_html(one) if fmt == "html" else None,
                sms=reminder if fmt == "sms" else None,
                data=one if fmt == "json" else None,
                to=(*to, *contacts.get(("unit", unit["code"] or ""), ())),
            )
        )
    return messages


def _only(d: dict, item: dict) -> dict:
    """The digest cut down to the city and one unit or ward."""
    return {**d, "units": [item] if item["scope"] == "unit" else [],
            "wards": [item] if item["scope"] == "ward" else []}  # fmt: skip
