"""Versioned boundaries, crosswalks and official unit lists.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "boundary_set",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("slug", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column(
            "valid_from", sa.Date, comment="first day in force; NULL = since before our records"
        ),
        sa.Column("valid_to", sa.Date, comment="last day in force; NULL = still in force"),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("licence", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("unit_count", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("metadata", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint("level IN ('ward', 'district', 'city')", name="boundary_set_level"),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to",
            name="boundary_set_validity",
        ),
    )
    op.create_table(
        "boundary_unit",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "set_id",
            sa.Integer,
            sa.ForeignKey("boundary_set.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("code", sa.Text, nullable=False, comment="official code as text, e.g. GSO 26734"),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_ascii", sa.Text, nullable=False),
        sa.Column("unit_type", sa.Text, nullable=False),
        sa.Column("parent_code", sa.Text),
        sa.Column("parent_name", sa.Text),
        sa.Column("population", sa.BigInteger),
        sa.Column("population_year", sa.SmallInteger),
        sa.Column("population_method", sa.Text),
        sa.Column("area_km2", sa.Float, nullable=False),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
        sa.Column(
            "geom_3857",
            Geometry("MULTIPOLYGON", srid=3857, spatial_index=False),
            nullable=False,
            comment="Web Mercator copy for tiling",
        ),
        sa.Column("label_point", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("properties", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.UniqueConstraint("set_id", "code", name="boundary_unit_set_code"),
    )
    op.create_index("boundary_unit_geom_gist", "boundary_unit", ["geom"], postgresql_using="gist")
    op.create_index(
        "boundary_unit_geom_3857_gist", "boundary_unit", ["geom_3857"], postgresql_using="gist"
    )
    op.create_table(
        "boundary_crosswalk",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("from_version", sa.Text, nullable=False),
        sa.Column("to_version", sa.Text, nullable=False),
        sa.Column("from_code", sa.Text, nullable=False),
        sa.Column("from_name", sa.Text, nullable=False),
        sa.Column("from_parent_code", sa.Text),
        sa.Column("from_parent_name", sa.Text),
        sa.Column("to_code", sa.Text, nullable=False),
        sa.Column("to_name", sa.Text, nullable=False),
        sa.Column("relation", sa.Text, nullable=False),
        sa.Column(
            "partial", sa.Boolean, nullable=False, comment="only part of the old unit went here"
        ),
        sa.Column("note", sa.Text),
        sa.Column("legal_basis", sa.Text),
        sa.UniqueConstraint(
            "from_version", "to_version", "from_code", "to_code", name="boundary_crosswalk_pair"
        ),
    )
    op.create_index("boundary_crosswalk_from", "boundary_crosswalk", ["from_version", "from_code"])
    op.create_table(
        "admin_unit_list",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("slug", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("effective_date", sa.Date, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("licence", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("unit_count", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_table(
        "admin_unit",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "list_id",
            sa.Integer,
            sa.ForeignKey("admin_unit_list.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_ascii", sa.Text, nullable=False),
        sa.Column("unit_type", sa.Text, nullable=False),
        sa.Column("district_code", sa.Text),
        sa.Column("district_name", sa.Text),
        sa.Column("province_code", sa.Text, nullable=False),
        sa.Column("province_name", sa.Text, nullable=False),
        sa.Column(
            "aliases", sa.ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'::text[]")
        ),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.UniqueConstraint("list_id", "code", name="admin_unit_list_code"),
    )


def downgrade() -> None:
    op.drop_table("admin_unit")
    op.drop_table("admin_unit_list")
    op.drop_table("boundary_crosswalk")
    op.drop_table("boundary_unit")
    op.drop_table("boundary_set")
