"""For vector tiles: complaint points in Web Mercator with a spatial index, and indexes of the
cell rollup by the coarser H3 resolutions (heat tiles below zoom 14).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "complaint",
        sa.Column(
            "geom_3857",
            Geometry("POINT", srid=3857, spatial_index=False),
            comment="the point in Web Mercator, for tiling",
        ),
    )
    op.execute("UPDATE complaint SET geom_3857 = ST_Transform(geom, 3857) WHERE geom IS NOT NULL")
    op.create_index("complaint_geom_3857_gist", "complaint", ["geom_3857"], postgresql_using="gist")
    for res in (7, 8, 9):
        op.create_index(f"rollup_cell_day_r{res}", "rollup_cell_day", [f"h3_r{res}"])


def downgrade() -> None:
    for res in (7, 8, 9):
        op.drop_index(f"rollup_cell_day_r{res}", table_name="rollup_cell_day")
    op.drop_index("complaint_geom_3857_gist", table_name="complaint", postgresql_using="gist")
    op.drop_column("complaint", "geom_3857")
