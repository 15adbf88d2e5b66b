"""Overdue reminders: per handling unit, the complaints open and past due at a cut-off (the
weekly reminder sent with the digest), most overdue first."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from analytics.hotspots import check_codes
from analytics.names import code_names
from analytics.selection import code_list
from analytics.sms import Sms, sms
from analytics.windows import TZ
from gis_db.sqlfiles import load_sql

STATUS_VI = {"received": "Đã tiếp nhận", "assigned": "Đã phân công", "processing": "Đang xử lý"}


class OverdueParams(BaseModel):
    """Which units and fields, judged at which instant, and how many complaints to list."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    unit: tuple[str, ...] = Field((), description="Handling units (all by default)")
    field: tuple[str, ...] = Field((), description="Fields (all by default)")
    as_of: datetime | None = Field(None, description="Cut-off instant (now by default)")
    limit: int = Field(20, ge=1, le=1000, description="Complaints listed per unit")

    @field_validator("unit", "field", mode="before")
    @classmethod
    def _split(cls, value: object) -> tuple[str, ...]:
        return code_list(value)

    @model_validator(mode="after")
    def _zone(self) -> OverdueParams:
        if self.as_of is not None and self.as_of.tzinfo is None:
            raise ValueError("as_of needs a time zone (for example 2025-06-06T15:00+07:00)")
        return self


def overdue(conn: psycopg.Connection, params: OverdueParams) -> dict:
    """Units with complaints overdue at the cut-off, the most overdue units first."""
    check_codes(conn, params.field, ())
    names = {kind: code_names(conn, kind) for kind in ("unit", "ward", "field")}
    unknown = [u for u in params.unit if u not in names["unit"]]
    if unknown:
        raise ValueError(f"unknown unit code(s): {', '.join(unknown)}")
    as_of = params.as_of or datetime.now(UTC)
    cur = conn.execute(
        load_sql("analytics", "overdue.sql"),
        {
            "as_of": as_of,
            "units": list(params.unit) or None,
            "fields": list(params.field) or None,
            "limit": params.limit,
        },
    )
    units: dict[str | None, dict] = {}
    for unit, count, id_, source_id, received, due, field, category, ward, address, status in cur:
        entry = units.setdefault(
            unit,
            {"code": unit, "name": names["unit"].get(unit), "overdue": count, "complaints": []},
        )
        entry["complaints"].append(
            {
                "id": id_,
                "source_id": source_id,
                "received_at": received.isoformat(),
                "due_at": due.isoformat(),
                "received_local": f"{received.astimezone(TZ):%d/%m/%Y %H:%M}",
                "due_local": f"{due.astimezone(TZ):%d/%m/%Y %H:%M}",
                "days_overdue": (as_of - due).days,
                "field": field,
                "field_name": names["field"].get(field),
                "category": category,
                "ward": ward,
                "ward_name": names["ward"].get(ward),
                "address": address,
                "status": status,
                "status_vi": STATUS_VI[status],
            }
        )
    return {
        "as_of": as_of.isoformat(),
        "as_of_label": f"{as_of.astimezone(TZ):%H:%M %d/%m/%Y}",
        "units": list(units.values()),
        "total": sum(u["overdue"] for u in units.values()),
    }


def overdue_sms(report: dict, unit: dict, diacritics: bool = False) -> Sms:
    """The weekly reminder of one unit as an SMS: count, oldest ones, where to see the list."""
    worst = ", ".join(
        f"{c['source_id']} ({c['days_overdue']} ngày)" for c in unit["complaints"][:3]
    )
    text = (
        f"[PAKN 1022] Nhắc việc {report['as_of_label']}: {unit['name'] or unit['code']} có "
        f"{unit['overdue']} phản ánh quá hạn chưa xử lý. Quá hạn lâu nhất: {worst}."
    )
    return sms(text, diacritics=diacritics)
