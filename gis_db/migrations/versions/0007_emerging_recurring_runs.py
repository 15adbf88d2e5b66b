"""Emerging hot spot and recurring spot runs are stored like Gi* runs: `hotspot_run` keeps them
apart by `method` (figures that do not apply are NULL); `emerging_cell` holds the pattern and
trend of every cell of an emerging run, `recurring_spot` the clusters of a recurring run with
their outline (lon/lat and Web Mercator, for tiles).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RUN_COMMENTS = {  # column: (before, after)
    "method": ("'gi*'", "'gi*', 'emerging' or 'recurring'"),
    "resolution": (None, "H3 resolution (none for recurring spots)"),
    "n_cells": (None, "cells of the study area (none for recurring spots)"),
    "n_hot": (None, "cells hot: significant (Gi*) or of a hot pattern (emerging)"),
    "n_cold": (None, "cells cold: significant (Gi*) or of a cold pattern (emerging)"),
}
NULLABLE = ("resolution", "n_cells", "n_hot", "n_cold")
TYPES = {
    "method": sa.Text(collation="C"),
    "resolution": sa.SmallInteger(),
    "n_cells": sa.Integer(),
    "n_hot": sa.Integer(),
    "n_cold": sa.Integer(),
}
TABLE_COMMENTS = (
    "analytics runs (Gi*): parameters, data version, summary",
    "analytics runs (Gi*, emerging hot spots, recurring spots): parameters, data version, summary",
)


def upgrade() -> None:
    for column, (before, after) in RUN_COMMENTS.items():
        op.alter_column(
            "hotspot_run",
            column,
            existing_type=TYPES[column],
            existing_nullable=False,
            **({"nullable": True} if column in NULLABLE else {}),
            comment=after,
            existing_comment=before,
        )
    op.add_column(
        "hotspot_run",
        sa.Column("n_spots", sa.Integer(), nullable=True, comment="recurring spots found"),
    )
    op.alter_column(
        "hotspot_run",
        "n_complaints",
        existing_type=sa.BigInteger(),
        existing_nullable=False,
        comment="complaints counted (recurring: complaints in the spots)",
    )
    op.create_table_comment("hotspot_run", TABLE_COMMENTS[1], existing_comment=TABLE_COMMENTS[0])
    op.create_table(
        "emerging_cell",
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("cell", sa.BigInteger(), nullable=False),
        sa.Column(
            "pattern",
            sa.Text(collation="C"),
            nullable=False,
            comment="'new hot' ... 'historical cold' or 'no pattern' (ArcGIS's 17 categories)",
        ),
        sa.Column("n", sa.Integer(), nullable=False, comment="complaints over all steps"),
        sa.Column("n_last_step", sa.Integer(), nullable=False),
        sa.Column(
            "z_last", sa.Float(), nullable=False, comment="space-time Gi* z of the last step"
        ),
        sa.Column("tau", sa.Float(), nullable=False, comment="Mann-Kendall tau of the z-scores"),
        sa.Column("p_trend", sa.Float(), nullable=False, comment="two-sided p of the trend"),
        sa.Column(
            "hot_steps", sa.SmallInteger(), nullable=False, comment="steps significantly hot"
        ),
        sa.Column(
            "cold_steps", sa.SmallInteger(), nullable=False, comment="steps significantly cold"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["hotspot_run.id"], name="emerging_cell_run", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "cell", name="emerging_cell_pkey"),
        comment="emerging hot spots: pattern and trend of every cell of a run's study area",
    )
    op.create_table(
        "recurring_spot",
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "spot",
            sa.Integer(),
            nullable=False,
            comment="rank in the run: most days first, then most complaints",
        ),
        sa.Column("n", sa.Integer(), nullable=False, comment="complaints in the cluster"),
        sa.Column("days", sa.Integer(), nullable=False, comment="distinct local days"),
        sa.Column("weeks", sa.Integer(), nullable=False, comment="distinct weeks (ISO)"),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False, comment="centroid of the complaints"),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.Column(
            "units",
            postgresql.JSONB(),
            nullable=False,
            comment="units of the run's boundary set it touches: [{code, name}]",
        ),
        sa.Column(
            "outline",
            Geometry("POLYGON", srid=4326, spatial_index=False),
            nullable=False,
            comment="convex hull of the complaints buffered by half of eps",
        ),
        sa.Column(
            "outline_3857", Geometry("POLYGON", srid=3857, spatial_index=False), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["hotspot_run.id"], name="recurring_spot_run", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "spot", name="recurring_spot_pkey"),
        comment="recurring spots: the DBSCAN clusters a run kept",
    )


def downgrade() -> None:
    op.drop_table("recurring_spot")
    op.drop_table("emerging_cell")
    op.execute("DELETE FROM hotspot_run WHERE method <> 'gi*'")
    op.create_table_comment("hotspot_run", TABLE_COMMENTS[0], existing_comment=TABLE_COMMENTS[1])
    op.alter_column(
        "hotspot_run",
        "n_complaints",
        existing_type=sa.BigInteger(),
        existing_nullable=False,
        comment=None,
        existing_comment="complaints counted (recurring: complaints in the spots)",
    )
    op.drop_column("hotspot_run", "n_spots")
    for column, (before, after) in RUN_COMMENTS.items():
        op.alter_column(
            "hotspot_run",
            column,
            existing_type=TYPES[column],
            existing_nullable=column in NULLABLE,
            **({"nullable": False} if column in NULLABLE else {}),
            comment=before,
            existing_comment=after,
        )
