"""Fields (lĩnh vực) and categories (chuyên mục) of complaints, with their SLA."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psycopg
import yaml

from gis_db.sqlfiles import load_sql


@dataclass(frozen=True)
class Category:
    """A finer kind of complaint inside a field, with its handling deadline."""

    code: str
    field_code: str
    name: str
    sla_hours: int


@dataclass(frozen=True)
class Taxonomy:
    """The configured fields and categories."""

    fields: dict[str, str]  # code -> name, in display order
    categories: dict[str, Category]

    def field_of(self, category_code: str) -> str:
        """The field a category belongs to."""
        return self.categories[category_code].field_code


def read_taxonomy(path: Path) -> Taxonomy:
    """Read and check a taxonomy YAML file."""
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read taxonomy {path}: {exc}") from exc
    fields: dict[str, str] = {}
    categories: dict[str, Category] = {}
    for entry in (doc or {}).get("fields") or []:
        code = str(entry["code"])
        if code in fields:
            raise ValueError(f"taxonomy {path}: field '{code}' is listed twice")
        fields[code] = str(entry["name"])
        for cat in entry.get("categories") or []:
            ccode = str(cat["code"])
            if ccode in categories:
                raise ValueError(f"taxonomy {path}: category '{ccode}' is listed twice")
            sla = int(cat["sla_hours"])
            if sla <= 0:
                raise ValueError(f"taxonomy {path}: category '{ccode}' needs sla_hours > 0")
            categories[ccode] = Category(ccode, code, str(cat["name"]), sla)
    if not fields:
        raise ValueError(f"taxonomy {path} lists no fields")
    return Taxonomy(fields, categories)


def sync_taxonomy(conn: psycopg.Connection, taxonomy: Taxonomy) -> None:
    """Insert or update the fields and categories (entries in use are never deleted)."""
    with conn.cursor() as cur:
        cur.executemany(
            load_sql("etl", "upsert_field.sql"),
            [
                {"code": code, "name": name, "sort_order": i}
                for i, (code, name) in enumerate(taxonomy.fields.items())
            ],
        )
        cur.executemany(
            load_sql("etl", "upsert_category.sql"),
            [
                {"code": c.code, "field_code": c.field_code, "name": c.name, "sla": c.sla_hours}
                for c in taxonomy.categories.values()
            ],
        )
