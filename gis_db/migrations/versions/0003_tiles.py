"""For vector tiles: complaint points in Web Mercator with a spatial index, indexes of the cell
rollup by the coarser H3 resolutions, and a monthly rollup by those cells (heat tiles below
zoom 14).

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
    op.add_column(
        "h3_cell",
        sa.Column("area_km2", sa.Float(), comment="area on the ellipsoid, for densities"),
    )
    op.execute("UPDATE h3_cell SET area_km2 = ST_Area(geom::geography) / 1e6")
    op.create_table(
        "rollup_cell_month",
        sa.Column("resolution", sa.SmallInteger(), nullable=False),
        sa.Column("cell", sa.BigInteger(), nullable=False),
        sa.Column(
            "month",
            sa.Date(),
            nullable=False,
            comment="first day of the local month of reception",
        ),
        sa.Column(
            "field_code",
            sa.Text(collation="C"),
            nullable=False,
            comment="'*' for all fields together",
        ),
        *_measures(),
        sa.PrimaryKeyConstraint("resolution", "cell", "month", "field_code"),
        comment="complaints by H3 cell (resolutions 7-9), month and field (7) or all fields ('*')",
    )
    op.execute(
        "INSERT INTO rollup_cell_month "
        "SELECT v.res, v.cell, date_trunc('month', r.day)::date, f.field_code, sum(r.n), "
        "sum(r.n_open), sum(r.n_resolved), sum(r.n_rejected), sum(r.n_late), sum(r.n_rated), "
        "sum(r.rating_sum), sum(r.resolve_hours_sum) "
        "FROM rollup_cell_day AS r "
        "CROSS JOIN LATERAL (VALUES (7, r.h3_r7), (8, r.h3_r8), (9, r.h3_r9)) AS v(res, cell) "
        "CROSS JOIN LATERAL (VALUES (r.field_code), ('*')) AS f(field_code) "
        "WHERE v.res = 7 OR f.field_code = '*' "
        "GROUP BY v.res, v.cell, date_trunc('month', r.day), f.field_code"
    )


def downgrade() -> None:
    op.drop_table("rollup_cell_month")
    op.drop_column("h3_cell", "area_km2")
    for res in (7, 8, 9):
        op.drop_index(f"rollup_cell_day_r{res}", table_name="rollup_cell_day")
    op.drop_index("complaint_geom_3857_gist", table_name="complaint", postgresql_using="gist")
    op.drop_column("complaint", "geom_3857")


def _measures() -> list[sa.Column]:
    return [
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
    ]
