"""For ward choropleths: the unit rollup also keeps satisfied ratings, squared ratings and a
histogram of days to close; frozen class breaks of legends; indexes for the open backlog, for
complaints of one handling unit and for the H3 cells of each resolution.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

EDGES = (1, 2, 3, 5, 7, 10, 15, 30, 60)  # upper edges (days) of the bins; the last bin is open
BINS = [f"closed_d{edge}" for edge in EDGES] + ["closed_dmore"]
OPEN = "('received', 'assigned', 'processing')"


def upgrade() -> None:
    op.add_column(
        "rollup_unit_day",
        sa.Column(
            "n_satisfied",
            sa.Integer(),
            nullable=False,
            server_default="0",
            comment="ratings of 4 or 5",
        ),
    )
    op.add_column(
        "rollup_unit_day",
        sa.Column("rating_sq_sum", sa.Integer(), nullable=False, server_default="0"),
    )
    for name in BINS:
        op.add_column(
            "rollup_unit_day",
            sa.Column(
                name,
                sa.Integer(),
                nullable=False,
                server_default="0",
                comment="closed within this bin of days",
            ),
        )
    _backfill()
    for name in ["n_satisfied", "rating_sq_sum", *BINS]:
        op.alter_column("rollup_unit_day", name, server_default=None)
    op.create_table_comment(
        "rollup_unit_day",
        "complaints by unit, day, field and category; also satisfaction spread and days to "
        "close as a histogram (choropleths)",
    )
    op.create_index(
        "complaint_open_due",
        "complaint",
        ["due_at"],
        postgresql_where=sa.text(f"status IN {OPEN}"),
    )
    op.create_index("complaint_handling_unit", "complaint", ["handling_unit_code", "received_at"])
    # A tile's cells of one resolution without reading the others; they replace the index of
    # all resolutions (every new cell would otherwise update two GiST indexes).
    op.drop_index("h3_cell_geom_3857_gist", table_name="h3_cell", postgresql_using="gist")
    # Cell areas on the sphere, as the ETL now takes them from H3 (0.4 % below the ellipsoid's
    # here; within 1e-6 of H3's own figures).
    op.execute("UPDATE h3_cell SET area_km2 = ST_Area(geom::geography, false) / 1e6")
    op.alter_column(
        "h3_cell",
        "area_km2",
        existing_type=sa.Float(),
        comment="area on the sphere (H3), for densities",
        existing_comment="area on the ellipsoid, for densities",
    )
    for res in (7, 8, 9, 10):
        op.create_index(
            f"h3_cell_r{res}_geom_3857_gist",
            "h3_cell",
            ["geom_3857"],
            postgresql_using="gist",
            postgresql_where=sa.text(f"resolution = {res}"),
        )
    _cell_rollups_by_channel()
    for res in (7, 8, 9):  # by coarser cell and day: tiles over a span of days
        op.drop_index(f"rollup_cell_day_r{res}", table_name="rollup_cell_day")
        op.create_index(f"rollup_cell_day_r{res}_day", "rollup_cell_day", [f"h3_r{res}", "day"])
    op.create_table(
        "legend_breaks",
        sa.Column("layer", sa.Text(collation="C"), nullable=False),
        sa.Column("metric", sa.Text(collation="C"), nullable=False),
        sa.Column(
            "boundary_set",
            sa.Text(collation="C"),
            nullable=False,
            comment="'' for layers without a set",
        ),
        sa.Column(
            "filters",
            sa.Text(collation="C"),
            nullable=False,
            comment="canonical filter text (period included)",
        ),
        sa.Column("method", sa.Text(), nullable=False, comment="mapclassify classifier"),
        sa.Column(
            "breaks",
            postgresql.ARRAY(sa.Float()),
            nullable=False,
            comment="upper bounds of the classes",
        ),
        sa.Column("lowest", sa.Float(), nullable=False, comment="lower bound of the first class"),
        sa.Column("units", sa.Integer(), nullable=False, comment="values classified"),
        sa.Column(
            "data_version", sa.BigInteger(), nullable=False, comment="data version when computed"
        ),
        sa.Column(
            "computed_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.PrimaryKeyConstraint("layer", "metric", "boundary_set", "filters"),
        comment="class breaks computed once per layer, metric, set and filters, then frozen, "
        "so map colours do not jump when data arrive",
    )


def _cell_rollups_by_channel() -> None:
    """The daily cell rollup gets the channel as a key column (rebuilt from the complaints);
    the monthly one gets category and channel columns and is rebuilt from the daily one: all
    together ('*', '*', '*') at resolutions 7-9, per channel at 7-8, and at 7 also per field and
    per field and category."""
    for table in ("rollup_cell_day", "rollup_cell_month"):
        op.execute(f"TRUNCATE {table}")
        op.drop_constraint(f"{table}_pkey", table, type_="primary")
    op.add_column(
        "rollup_cell_day",
        sa.Column(
            "channel", sa.Text(collation="C"), nullable=False, comment="channel of reception"
        ),
    )
    op.create_primary_key(
        "rollup_cell_day_pkey",
        "rollup_cell_day",
        ["h3_r10", "h3_r9", "h3_r8", "h3_r7", "day", "field_code", "category_code", "channel"],
    )
    op.add_column(
        "rollup_cell_month",
        sa.Column(
            "category_code",
            sa.Text(collation="C"),
            nullable=False,
            comment="'*' for all categories together, '' for complaints without one",
        ),
    )
    op.add_column(
        "rollup_cell_month",
        sa.Column(
            "channel", sa.Text(collation="C"), nullable=False, comment="'*' for all channels"
        ),
    )
    op.create_primary_key(
        "rollup_cell_month_pkey",
        "rollup_cell_month",
        ["resolution", "cell", "month", "field_code", "category_code", "channel"],
    )
    op.create_table_comment(
        "rollup_cell_day",
        "complaints by H3 cells (resolutions 7-10) of their point, day, field, category, channel",
        existing_comment="complaints by H3 cells (resolutions 7-10) of their point, day, field, "
        "category",
    )
    op.create_table_comment(
        "rollup_cell_month",
        MONTH_COMMENT,
        existing_comment="complaints by H3 cell (resolutions 7-9), month and field (7) or all "
        "fields ('*')",
    )
    ended = "coalesce(c.resolved_at, c.closed_at)"
    done = f"c.status IN ('resolved', 'closed') AND {ended} IS NOT NULL"
    op.execute(
        f"""
        INSERT INTO rollup_cell_day (h3_r7, h3_r8, h3_r9, h3_r10, day, field_code, category_code,
            channel, n, n_open, n_resolved, n_rejected, n_late, n_rated, rating_sum,
            resolve_hours_sum)
        SELECT c.h3_r7, c.h3_r8, c.h3_r9, c.h3_r10,
               (c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, c.field_code,
               coalesce(c.category_code, ''), c.channel, count(*),
               count(*) FILTER (WHERE c.status IN {OPEN}),
               count(*) FILTER (WHERE c.status IN ('resolved', 'closed')),
               count(*) FILTER (WHERE c.status = 'rejected'),
               count(*) FILTER (WHERE {ended} > c.due_at),
               count(c.satisfaction), coalesce(sum(c.satisfaction), 0),
               coalesce(sum(extract(epoch FROM {ended} - c.received_at) / 3600.0)
                        FILTER (WHERE {done}), 0)
        FROM complaint AS c
        WHERE c.h3_r10 IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
        ORDER BY 4, 3, 2, 1, 5, 6, 7, 8  -- the primary key's order: tiles read neighbours
        """
    )
    op.execute(
        """
        INSERT INTO rollup_cell_month (resolution, cell, month, field_code, category_code,
            channel, n, n_open, n_resolved, n_rejected, n_late, n_rated, rating_sum,
            resolve_hours_sum)
        SELECT v.res, v.cell, date_trunc('month', r.day)::date, f.field, f.category, f.channel,
               sum(r.n), sum(r.n_open), sum(r.n_resolved), sum(r.n_rejected), sum(r.n_late),
               sum(r.n_rated), sum(r.rating_sum), sum(r.resolve_hours_sum)
        FROM rollup_cell_day AS r
        CROSS JOIN LATERAL (VALUES (7, r.h3_r7), (8, r.h3_r8), (9, r.h3_r9)) AS v(res, cell)
        CROSS JOIN LATERAL (
            VALUES ('*', '*', '*'), ('*', '*', r.channel), (r.field_code, '*', '*'),
                   (r.field_code, r.category_code, '*')
        ) AS f(field, category, channel)
        WHERE (v.res = 7 OR f.field = '*') AND (v.res <= 8 OR f.channel = '*')
        GROUP BY 1, 2, 3, 4, 5, 6
        ORDER BY 1, 2, 3, 4, 5, 6
        """
    )


MONTH_COMMENT = (
    "complaints by H3 cell (resolutions 7-9) and month: all together ('*'), by channel (7-8), "
    "and at resolution 7 also by field and by field and category"
)


def _backfill() -> None:
    """The new measures of existing rollup rows, from the complaints they count (each complaint
    counts for its unit on the reception day and, when today's set is another, today's unit)."""
    days = "extract(epoch FROM coalesce(c.resolved_at, c.closed_at) - c.received_at) / 86400.0"
    done = "c.status IN ('resolved', 'closed') AND coalesce(c.resolved_at, c.closed_at) IS NOT NULL"
    lower = (0, *EDGES)
    bins = []
    for i, name in enumerate(BINS):
        cond = f"{days} >= {lower[i]}" if i else "true"
        if i < len(EDGES):
            cond += f" AND {days} < {EDGES[i]}"
        bins.append(f"count(*) FILTER (WHERE {done} AND {cond})::integer AS {name}")
    op.execute(
        f"""
        WITH counted AS (
            SELECT u.boundary_set, u.unit_code,
                   (c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day,
                   c.field_code, coalesce(c.category_code, '') AS category_code,
                   count(*) FILTER (WHERE c.satisfaction >= 4)::integer AS n_satisfied,
                   coalesce(sum(c.satisfaction * c.satisfaction), 0)::integer AS rating_sq_sum,
                   {", ".join(bins)}
            FROM complaint AS c
            CROSS JOIN LATERAL (
                SELECT c.ward_set, c.ward_code
                WHERE c.ward_set IS NOT NULL AND c.ward_code IS NOT NULL
                UNION ALL
                SELECT c.current_set, c.current_ward_code
                WHERE c.current_set IS NOT NULL AND c.current_ward_code IS NOT NULL
                  AND c.ward_set IS DISTINCT FROM c.current_set
            ) AS u(boundary_set, unit_code)
            GROUP BY 1, 2, 3, 4, 5
        )
        UPDATE rollup_unit_day AS r
        SET n_satisfied = k.n_satisfied, rating_sq_sum = k.rating_sq_sum,
            {", ".join(f"{b} = k.{b}" for b in BINS)}
        FROM counted AS k
        WHERE r.boundary_set = k.boundary_set AND r.unit_code = k.unit_code AND r.day = k.day
          AND r.field_code = k.field_code AND r.category_code = k.category_code
        """
    )


def downgrade() -> None:
    op.drop_table("legend_breaks")
    for res in (7, 8, 9):
        op.drop_index(f"rollup_cell_day_r{res}_day", table_name="rollup_cell_day")
        op.create_index(f"rollup_cell_day_r{res}", "rollup_cell_day", [f"h3_r{res}"])
    # Back to rollups without channels (and months without categories): summed again.
    op.execute(
        "CREATE TEMP TABLE cell_day_old AS SELECT h3_r7, h3_r8, h3_r9, h3_r10, day, field_code, "
        "category_code, sum(n) n, sum(n_open) n_open, sum(n_resolved) n_resolved, "
        "sum(n_rejected) n_rejected, sum(n_late) n_late, sum(n_rated) n_rated, "
        "sum(rating_sum) rating_sum, sum(resolve_hours_sum) resolve_hours_sum "
        "FROM rollup_cell_day GROUP BY 1, 2, 3, 4, 5, 6, 7"
    )
    for table in ("rollup_cell_day", "rollup_cell_month"):
        op.execute(f"TRUNCATE {table}")
        op.drop_constraint(f"{table}_pkey", table, type_="primary")
    op.drop_column("rollup_cell_day", "channel")
    op.drop_column("rollup_cell_month", "channel")
    op.drop_column("rollup_cell_month", "category_code")
    op.execute("INSERT INTO rollup_cell_day SELECT * FROM cell_day_old")
    op.create_primary_key(
        "rollup_cell_day_pkey",
        "rollup_cell_day",
        ["h3_r10", "h3_r9", "h3_r8", "h3_r7", "day", "field_code", "category_code"],
    )
    op.create_primary_key(
        "rollup_cell_month_pkey", "rollup_cell_month", ["resolution", "cell", "month", "field_code"]
    )
    op.execute(
        "INSERT INTO rollup_cell_month SELECT v.res, v.cell, date_trunc('month', r.day)::date, "
        "f.field_code, sum(r.n), sum(r.n_open), sum(r.n_resolved), sum(r.n_rejected), "
        "sum(r.n_late), sum(r.n_rated), sum(r.rating_sum), sum(r.resolve_hours_sum) "
        "FROM rollup_cell_day AS r "
        "CROSS JOIN LATERAL (VALUES (7, r.h3_r7), (8, r.h3_r8), (9, r.h3_r9)) AS v(res, cell) "
        "CROSS JOIN LATERAL (VALUES (r.field_code), ('*')) AS f(field_code) "
        "WHERE v.res = 7 OR f.field_code = '*' "
        "GROUP BY v.res, v.cell, date_trunc('month', r.day), f.field_code"
    )
    op.create_table_comment(
        "rollup_cell_day",
        "complaints by H3 cells (resolutions 7-10) of their point, day, field, category",
    )
    op.create_table_comment(
        "rollup_cell_month",
        "complaints by H3 cell (resolutions 7-9), month and field (7) or all fields ('*')",
    )
    for res in (7, 8, 9, 10):
        op.drop_index(f"h3_cell_r{res}_geom_3857_gist", table_name="h3_cell")
    op.create_index("h3_cell_geom_3857_gist", "h3_cell", ["geom_3857"], postgresql_using="gist")
    op.alter_column(
        "h3_cell",
        "area_km2",
        existing_type=sa.Float(),
        comment="area on the ellipsoid, for densities",
        existing_comment="area on the sphere (H3), for densities",
    )
    op.drop_index("complaint_handling_unit", table_name="complaint")
    op.drop_index("complaint_open_due", table_name="complaint")
    op.drop_table_comment("rollup_unit_day")
    for name in ["n_satisfied", "rating_sq_sum", *BINS]:
        op.drop_column("rollup_unit_day", name)
