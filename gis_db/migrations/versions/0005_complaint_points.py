"""The complaints layer reads its points from `complaint_point`: the few columns a tile needs,
written in H3 order so that the points of a tile share pages (the wide `complaint` rows put
each point on a page of its own). Its GiST index replaces the one on complaint.geom_3857.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaint_point",
        sa.Column("id", sa.BigInteger(), nullable=False, comment="complaint.id"),
        sa.Column("received_day", sa.Date(), nullable=False, comment="local day of reception"),
        sa.Column(
            "late",
            sa.Boolean(),
            nullable=False,
            comment="resolved or closed after its due time",
        ),
        sa.Column("geom", Geometry("POINT", srid=3857, spatial_index=False), nullable=False),
        sa.Column("field_code", sa.Text(collation="C"), nullable=False),
        sa.Column("category_code", sa.Text(collation="C")),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("handling_unit_code", sa.Text()),
        sa.Column("status", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="complaint_point_pkey"),
        comment="the complaints layer's points: complaints with a point, narrow, written in H3 "
        "order so that a tile's points share pages; kept by the ETL",
    )
    op.execute(
        "INSERT INTO complaint_point "
        "SELECT id, (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, "
        "coalesce(coalesce(resolved_at, closed_at) > due_at, false), geom_3857, field_code, "
        "category_code, channel, handling_unit_code, status "
        "FROM complaint WHERE geom_3857 IS NOT NULL ORDER BY h3_r10, id"
    )
    op.create_index(
        "complaint_point_geom_gist", "complaint_point", ["geom"], postgresql_using="gist"
    )
    op.drop_index("complaint_geom_3857_gist", table_name="complaint", postgresql_using="gist")
    op.alter_column(
        "complaint",
        "geom_3857",
        comment="the point in Web Mercator (copied into complaint_point)",
        existing_comment="the point in Web Mercator, for tiling",
    )


def downgrade() -> None:
    op.alter_column(
        "complaint",
        "geom_3857",
        comment="the point in Web Mercator, for tiling",
        existing_comment="the point in Web Mercator (copied into complaint_point)",
    )
    op.create_index("complaint_geom_3857_gist", "complaint", ["geom_3857"], postgresql_using="gist")
    op.drop_table("complaint_point")
