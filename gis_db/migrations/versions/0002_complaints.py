"""Complaints, contacts, quarantine, batch ledger, H3 cells, rollups, data version.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_geospatial_table(
        "complaint",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("source", sa.Text(collation="C"), nullable=False),
        sa.Column("source_id", sa.Text(collation="C"), nullable=False),
        sa.Column(
            "content_hash", sa.BigInteger(), nullable=False, comment="hash of the mapped content"
        ),
        sa.Column(
            "batch_id", sa.Integer(), nullable=False, comment="etl_batch that last wrote the row"
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "field_code",
            sa.Text(collation="C"),
            nullable=False,
            comment="complaint_field.code (checked by the ETL)",
        ),
        sa.Column(
            "category_code",
            sa.Text(collation="C"),
            nullable=True,
            comment="complaint_category.code (checked by the ETL)",
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("handling_unit_code", sa.Text(), nullable=True),
        sa.Column("handling_unit_name", sa.Text(), nullable=True),
        sa.Column("handling_unit_level", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("processing_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "satisfaction",
            sa.SmallInteger(),
            nullable=True,
            comment="citizen rating 1 (worst) .. 5 (best)",
        ),
        sa.Column(
            "input_lat",
            sa.Float(),
            nullable=True,
            comment="coordinates as given (after an unambiguous swap fix)",
        ),
        sa.Column("input_lon", sa.Float(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "ward_set",
            sa.Text(collation="C"),
            nullable=True,
            comment="boundary set in force on received_at",
        ),
        sa.Column("ward_code", sa.Text(collation="C"), nullable=True),
        sa.Column(
            "current_set",
            sa.Text(collation="C"),
            nullable=True,
            comment="boundary set in force today",
        ),
        sa.Column("current_ward_code", sa.Text(collation="C"), nullable=True),
        sa.Column("geocode_method", sa.Text(), nullable=False),
        sa.Column("geocode_confidence", sa.Float(), nullable=False),
        sa.Column(
            "geocode_candidates",
            sa.ARRAY(sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("flags", sa.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("h3_r7", sa.BigInteger(), nullable=True),
        sa.Column("h3_r8", sa.BigInteger(), nullable=True),
        sa.Column("h3_r9", sa.BigInteger(), nullable=True),
        sa.Column("h3_r10", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "channel IN ('phone-1022', 'app', 'web', 'zalo', 'facebook', 'email', 'other')",
            name="complaint_channel",
        ),
        sa.CheckConstraint(
            "geocode_method IN ('coordinates', 'snapped', 'address-ward', 'address-street', 'none')",  # noqa: E501
            name="complaint_geocode_method",
        ),
        sa.CheckConstraint(
            "status IN ('received', 'assigned', 'processing', 'resolved', 'closed', 'rejected')",
            name="complaint_status",
        ),
        sa.CheckConstraint("satisfaction BETWEEN 1 AND 5", name="complaint_satisfaction"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "source_id", name="complaint_source_id"),
    )
    op.create_geospatial_index(
        "complaint_geom_gist",
        "complaint",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "complaint_received_brin",
        "complaint",
        ["received_at"],
        unique=False,
        postgresql_using="brin",
    )
    op.create_table(
        "complaint_contact",
        sa.Column("source", sa.Text(collation="C"), nullable=False),
        sa.Column("source_id", sa.Text(collation="C"), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("source", "source_id"),
        comment="personal data of complainants: never joined into tiles, rollups or exports",
    )
    op.create_table(
        "complaint_field",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "data_version",
        sa.Column("id", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name="data_version_single_row"),
        sa.PrimaryKeyConstraint("id"),
        comment="bumped by every batch that changes complaints; part of every cache key",
    )
    op.create_table(
        "etl_batch",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.Text(), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=False),
        sa.Column("mapping_sha256", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default=sa.text("'running'"), nullable=False),
        sa.Column("rows_in", sa.Integer(), nullable=True),
        sa.Column("rows_loaded", sa.Integer(), nullable=True),
        sa.Column("rows_quarantined", sa.Integer(), nullable=True),
        sa.Column("rows_inserted", sa.Integer(), nullable=True),
        sa.Column("rows_updated", sa.Integer(), nullable=True),
        sa.Column("rows_unchanged", sa.Integer(), nullable=True),
        sa.Column(
            "data_version", sa.BigInteger(), nullable=True, comment="data_version after this batch"
        ),
        sa.Column(
            "timings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "stats",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status <> 'done' OR rows_in = rows_loaded + rows_quarantined", name="etl_batch_balance"
        ),
        sa.CheckConstraint("status IN ('running', 'done', 'failed')", name="etl_batch_status"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_geospatial_table(
        "h3_cell",
        sa.Column("cell", sa.BigInteger(), nullable=False),
        sa.Column("resolution", sa.SmallInteger(), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "geom_3857",
            Geometry(
                geometry_type="POLYGON",
                srid=3857,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("cell"),
    )
    op.create_geospatial_index(
        "h3_cell_geom_3857_gist",
        "h3_cell",
        ["geom_3857"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "handling_unit",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "rollup_cell_day",
        sa.Column("h3_r7", sa.BigInteger(), nullable=False),
        sa.Column("h3_r8", sa.BigInteger(), nullable=False),
        sa.Column("h3_r9", sa.BigInteger(), nullable=False),
        sa.Column("h3_r10", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False, comment="local day of reception"),
        sa.Column("field_code", sa.Text(collation="C"), nullable=False),
        sa.Column(
            "category_code",
            sa.Text(collation="C"),
            nullable=False,
            comment="'' when the complaint has none",
        ),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("n_open", sa.Integer(), nullable=False),
        sa.Column("n_resolved", sa.Integer(), nullable=False),
        sa.Column("n_rejected", sa.Integer(), nullable=False),
        sa.Column(
            "n_late", sa.Integer(), nullable=False, comment="resolved or closed after due_at"
        ),
        sa.Column("n_rated", sa.Integer(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("resolve_hours_sum", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "h3_r10", "h3_r9", "h3_r8", "h3_r7", "day", "field_code", "category_code"
        ),
        comment="complaints by H3 cells (resolutions 7-10) of their point, day, field, category",
    )
    op.create_index("rollup_cell_day_day", "rollup_cell_day", ["day"], unique=False)
    op.create_table(
        "rollup_unit_day",
        sa.Column("boundary_set", sa.Text(collation="C"), nullable=False),
        sa.Column("unit_code", sa.Text(collation="C"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("field_code", sa.Text(collation="C"), nullable=False),
        sa.Column(
            "category_code",
            sa.Text(collation="C"),
            nullable=False,
            comment="'' when the complaint has none",
        ),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("n_open", sa.Integer(), nullable=False),
        sa.Column("n_resolved", sa.Integer(), nullable=False),
        sa.Column("n_rejected", sa.Integer(), nullable=False),
        sa.Column(
            "n_late", sa.Integer(), nullable=False, comment="resolved or closed after due_at"
        ),
        sa.Column("n_rated", sa.Integer(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("resolve_hours_sum", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("boundary_set", "unit_code", "day", "field_code", "category_code"),
    )
    op.create_geospatial_table(
        "street_segment",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("dataset", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "name_key", sa.Text(), nullable=False, comment="normalised name used for matching"
        ),
        sa.Column("street_type", sa.Text(), nullable=True),
        sa.Column("district_name", sa.Text(), nullable=True),
        sa.Column("length_m", sa.Float(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="LINESTRING",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_geospatial_index(
        "street_segment_geom_gist",
        "street_segment",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("street_segment_name_key", "street_segment", ["name_key"], unique=False)
    op.create_geospatial_table(
        "boundary_unit_part",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["set_id"], ["boundary_set.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_geospatial_index(
        "boundary_unit_part_geom_gist",
        "boundary_unit_part",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("boundary_unit_part_set", "boundary_unit_part", ["set_id"], unique=False)
    op.create_table(
        "complaint_category",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("field_code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sla_hours", sa.Integer(), nullable=False),
        sa.CheckConstraint("sla_hours > 0", name="complaint_category_sla"),
        sa.ForeignKeyConstraint(["field_code"], ["complaint_field.code"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "placeholder_coordinate",
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.Column("first_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["first_batch_id"],
            ["etl_batch.id"],
        ),
        sa.PrimaryKeyConstraint("lat", "lon"),
        comment="coordinates seen implausibly often (defaults of apps and forms)",
    )
    op.create_table(
        "quarantine",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.Text(), nullable=False),
        sa.Column(
            "row_number", sa.Integer(), nullable=False, comment="1-based data row in the file"
        ),
        sa.Column("source_id", sa.Text(), nullable=True),
        sa.Column("reasons", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("raw", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["etl_batch.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "file_sha256", "row_number", name="quarantine_row"),
    )

    op.execute("INSERT INTO data_version (id, version) VALUES (1, 0)")
    # Existing boundary sets get their subdivided parts (new loads maintain them).
    op.execute(
        "INSERT INTO boundary_unit_part (set_id, code, geom) "
        "SELECT set_id, code, ST_Subdivide(geom, 64) FROM boundary_unit"
    )


def downgrade() -> None:
    op.drop_table("quarantine")
    op.drop_table("placeholder_coordinate")
    op.drop_table("complaint_category")
    op.drop_index("boundary_unit_part_set", table_name="boundary_unit_part")
    op.drop_geospatial_index(
        "boundary_unit_part_geom_gist",
        table_name="boundary_unit_part",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("boundary_unit_part")
    op.drop_index("street_segment_name_key", table_name="street_segment")
    op.drop_geospatial_index(
        "street_segment_geom_gist",
        table_name="street_segment",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("street_segment")
    op.drop_table("rollup_unit_day")
    op.drop_index("rollup_cell_day_day", table_name="rollup_cell_day")
    op.drop_table("rollup_cell_day")
    op.drop_table("handling_unit")
    op.drop_geospatial_index(
        "h3_cell_geom_3857_gist",
        table_name="h3_cell",
        postgresql_using="gist",
        column_name="geom_3857",
    )
    op.drop_geospatial_table("h3_cell")
    op.drop_table("etl_batch")
    op.drop_table("data_version")
    op.drop_table("complaint_field")
    op.drop_table("complaint_contact")
    op.drop_index("complaint_received_brin", table_name="complaint", postgresql_using="brin")
    op.drop_geospatial_index(
        "complaint_geom_gist", table_name="complaint", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("complaint")
