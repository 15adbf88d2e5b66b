"""The one schema definition (SQLAlchemy Core + GeoAlchemy2); Alembic migrations follow it."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

boundary_set = Table(
    "boundary_set",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("slug", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("valid_from", Date, comment="first day in force; NULL = since before our records"),
    Column("valid_to", Date, comment="last day in force; NULL = still in force"),
    Column("source", Text, nullable=False),
    Column("licence", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("unit_count", Integer, nullable=False, server_default=text("0")),
    Column("metadata", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("loaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("level IN ('ward', 'district', 'city')", name="boundary_set_level"),
    CheckConstraint(
        "valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to",
        name="boundary_set_validity",
    ),
)

boundary_unit = Table(
    "boundary_unit",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("set_id", Integer, ForeignKey("boundary_set.id", ondelete="CASCADE"), nullable=False),
    Column("code", Text, nullable=False, comment="official code as text, e.g. GSO 26734"),
    Column("name", Text, nullable=False),
    Column("name_ascii", Text, nullable=False),
    Column("unit_type", Text, nullable=False),
    Column("parent_code", Text),
    Column("parent_name", Text),
    Column("population", BigInteger),
    Column("population_year", SmallInteger),
    Column("population_method", Text),
    Column("area_km2", Float, nullable=False),
    Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
    Column(
        "geom_3857",
        Geometry("MULTIPOLYGON", srid=3857, spatial_index=False),
        nullable=False,
        comment="Web Mercator copy for tiling",
    ),
    Column("label_point", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
    Column("properties", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    UniqueConstraint("set_id", "code", name="boundary_unit_set_code"),
)
Index("boundary_unit_geom_gist", boundary_unit.c.geom, postgresql_using="gist")
Index("boundary_unit_geom_3857_gist", boundary_unit.c.geom_3857, postgresql_using="gist")

boundary_crosswalk = Table(
    "boundary_crosswalk",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("from_version", Text, nullable=False),
    Column("to_version", Text, nullable=False),
    Column("from_code", Text, nullable=False),
    Column("from_name", Text, nullable=False),
    Column("from_parent_code", Text),
    Column("from_parent_name", Text),
    Column("to_code", Text, nullable=False),
    Column("to_name", Text, nullable=False),
    Column("relation", Text, nullable=False),
    Column("partial", Boolean, nullable=False, comment="only part of the old unit went here"),
    Column("note", Text),
    Column("legal_basis", Text),
    UniqueConstraint(
        "from_version", "to_version", "from_code", "to_code", name="boundary_crosswalk_pair"
    ),
)
Index(
    "boundary_crosswalk_from",
    boundary_crosswalk.c.from_version,
    boundary_crosswalk.c.from_code,
)

admin_unit_list = Table(
    "admin_unit_list",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("slug", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("source", Text, nullable=False),
    Column("licence", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("unit_count", Integer, nullable=False, server_default=text("0")),
    Column("loaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

admin_unit = Table(
    "admin_unit",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column(
        "list_id", Integer, ForeignKey("admin_unit_list.id", ondelete="CASCADE"), nullable=False
    ),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("name_ascii", Text, nullable=False),
    Column("unit_type", Text, nullable=False),
    Column("district_code", Text),
    Column("district_name", Text),
    Column("province_code", Text, nullable=False),
    Column("province_name", Text, nullable=False),
    Column("aliases", ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    Column("lat", Float),
    Column("lon", Float),
    UniqueConstraint("list_id", "code", name="admin_unit_list_code"),
)
