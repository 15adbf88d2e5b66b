"""Hotspot runs: each Gi* run with its parameters and the data version it saw, and the z-score,
p-values and class of every cell of its study area (reused by the API and tiles).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hotspot_run",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("method", sa.Text(collation="C"), nullable=False, comment="'gi*'"),
        sa.Column("params", postgresql.JSONB(), nullable=False),
        sa.Column(
            "params_key",
            sa.Text(collation="C"),
            nullable=False,
            comment="canonical text of params: equal runs share it",
        ),
        sa.Column("data_version", sa.BigInteger(), nullable=False),
        sa.Column("boundary_set", sa.Text(collation="C"), nullable=False, comment="study area"),
        sa.Column("resolution", sa.SmallInteger(), nullable=False),
        sa.Column("n_cells", sa.Integer(), nullable=False),
        sa.Column("n_complaints", sa.BigInteger(), nullable=False),
        sa.Column("n_hot", sa.Integer(), nullable=False),
        sa.Column("n_cold", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("id", name="hotspot_run_pkey"),
        sa.UniqueConstraint("method", "params_key", "data_version", name="hotspot_run_params"),
        comment="analytics runs (Gi*): parameters, data version, summary",
    )
    op.create_table(
        "hotspot_cell",
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("cell", sa.BigInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("z", sa.Float(), nullable=False),
        sa.Column("p", sa.Float(), nullable=False, comment="two-sided"),
        sa.Column("p_fdr", sa.Float(), nullable=False, comment="Benjamini-Hochberg adjusted"),
        sa.Column(
            "class",
            sa.SmallInteger(),
            nullable=False,
            comment="+3/+2/+1 hot at 99/95/90 % after FDR, 0 none, negative cold",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["hotspot_run.id"], name="hotspot_cell_run", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "cell", name="hotspot_cell_pkey"),
        comment="Gi* of every cell of a run's study area, zero counts included",
    )


def downgrade() -> None:
    op.drop_table("hotspot_cell")
    op.drop_table("hotspot_run")
