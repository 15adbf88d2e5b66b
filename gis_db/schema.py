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
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

# Codes and keys compare byte-wise: faster sorts, joins and index builds than a locale's rules.
CODE = Text(collation="C")

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

# Units split into small pieces (ST_Subdivide) for fast point-in-polygon joins.
boundary_unit_part = Table(
    "boundary_unit_part",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("set_id", Integer, ForeignKey("boundary_set.id", ondelete="CASCADE"), nullable=False),
    Column("code", Text, nullable=False),
    Column("geom", Geometry("POLYGON", srid=4326, spatial_index=False), nullable=False),
)
Index("boundary_unit_part_geom_gist", boundary_unit_part.c.geom, postgresql_using="gist")
Index("boundary_unit_part_set", boundary_unit_part.c.set_id)

# Street centrelines used to place an address on a named street.
street_segment = Table(
    "street_segment",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("dataset", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("name_key", Text, nullable=False, comment="normalised name used for matching"),
    Column("street_type", Text),
    Column("district_name", Text),
    Column("length_m", Float),
    Column("geom", Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=False),
)
Index("street_segment_geom_gist", street_segment.c.geom, postgresql_using="gist")
Index("street_segment_name_key", street_segment.c.name_key)

# --- Complaints -------------------------------------------------------------------------------

complaint_field = Table(
    "complaint_field",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("sort_order", SmallInteger, nullable=False),
)

complaint_category = Table(
    "complaint_category",
    metadata,
    Column("code", Text, primary_key=True),
    Column(
        "field_code", Text, ForeignKey("complaint_field.code", ondelete="CASCADE"), nullable=False
    ),
    Column("name", Text, nullable=False),
    Column("sla_hours", Integer, nullable=False),
    CheckConstraint("sla_hours > 0", name="complaint_category_sla"),
)

handling_unit = Table(
    "handling_unit",
    metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("level", Text),
)

etl_batch = Table(
    "etl_batch",
    metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("source", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("file_sha256", Text, nullable=False),
    Column("mapping", Text, nullable=False),
    Column("mapping_sha256", Text, nullable=False),
    Column("status", Text, nullable=False, server_default=text("'running'")),
    Column("rows_in", Integer),
    Column("rows_loaded", Integer),
    Column("rows_quarantined", Integer),
    Column("rows_inserted", Integer),
    Column("rows_updated", Integer),
    Column("rows_unchanged", Integer),
    Column("data_version", BigInteger, comment="data_version after this batch"),
    Column("timings", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("stats", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("error", Text),
    Column("started_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True)),
    CheckConstraint("status IN ('running', 'done', 'failed')", name="etl_batch_status"),
    CheckConstraint(
        "status <> 'done' OR rows_in = rows_loaded + rows_quarantined", name="etl_batch_balance"
    ),
)

complaint = Table(
    "complaint",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("source", CODE, nullable=False),
    Column("source_id", CODE, nullable=False),
    Column("content_hash", BigInteger, nullable=False, comment="hash of the mapped content"),
    Column("batch_id", Integer, nullable=False, comment="etl_batch that last wrote the row"),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("field_code", CODE, nullable=False, comment="complaint_field.code (checked by the ETL)"),
    Column("category_code", CODE, comment="complaint_category.code (checked by the ETL)"),
    Column("description", Text),
    Column("address", Text),
    Column("channel", Text, nullable=False),
    Column("handling_unit_code", Text),
    Column("handling_unit_name", Text),
    Column("handling_unit_level", Text),
    Column("status", Text, nullable=False),
    Column("assigned_at", DateTime(timezone=True)),
    Column("processing_at", DateTime(timezone=True)),
    Column("resolved_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("rejected_at", DateTime(timezone=True)),
    Column("due_at", DateTime(timezone=True)),
    Column("satisfaction", SmallInteger, comment="citizen rating 1 (worst) .. 5 (best)"),
    Column("input_lat", Float, comment="coordinates as given (after an unambiguous swap fix)"),
    Column("input_lon", Float),
    Column("geom", Geometry("POINT", srid=4326, spatial_index=False)),
    Column(
        "geom_3857",
        Geometry("POINT", srid=3857, spatial_index=False),
        comment="the point in Web Mercator (copied into complaint_point)",
    ),
    Column("ward_set", CODE, comment="boundary set in force on received_at"),
    Column("ward_code", CODE),
    Column("current_set", CODE, comment="boundary set in force today"),
    Column("current_ward_code", CODE),
    Column("geocode_method", Text, nullable=False),
    Column("geocode_confidence", Float, nullable=False),
    Column("geocode_candidates", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("flags", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("h3_r7", BigInteger),
    Column("h3_r8", BigInteger),
    Column("h3_r9", BigInteger),
    Column("h3_r10", BigInteger),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("source", "source_id", name="complaint_source_id"),
    CheckConstraint(
        "status IN ('received', 'assigned', 'processing', 'resolved', 'closed', 'rejected')",
        name="complaint_status",
    ),
    CheckConstraint(
        "channel IN ('phone-1022', 'app', 'web', 'zalo', 'facebook', 'email', 'other')",
        name="complaint_channel",
    ),
    CheckConstraint(
        "geocode_method IN ('coordinates', 'snapped', 'address-ward', 'address-street', 'none')",
        name="complaint_geocode_method",
    ),
    CheckConstraint("satisfaction BETWEEN 1 AND 5", name="complaint_satisfaction"),
)
Index("complaint_geom_gist", complaint.c.geom, postgresql_using="gist")
Index("complaint_received_brin", complaint.c.received_at, postgresql_using="brin")

complaint_point = Table(
    "complaint_point",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False, comment="complaint.id"),
    Column("received_day", Date, nullable=False, comment="local day of reception"),
    Column("late", Boolean, nullable=False, comment="resolved or closed after its due time"),
    Column("geom", Geometry("POINT", srid=3857, spatial_index=False), nullable=False),
    Column("field_code", CODE, nullable=False),
    Column("category_code", CODE),
    Column("channel", Text, nullable=False),
    Column("handling_unit_code", Text),
    Column("status", Text, nullable=False),
    comment="the complaints layer's points: complaints with a point, narrow, written in H3 "
    "order so that a tile's points share pages; kept by the ETL",
)
Index("complaint_point_geom_gist", complaint_point.c.geom, postgresql_using="gist")

complaint_contact = Table(
    "complaint_contact",
    metadata,
    Column("source", CODE, nullable=False),
    Column("source_id", CODE, nullable=False),
    Column("name", Text),
    Column("phone", Text),
    Column("email", Text),
    PrimaryKeyConstraint("source", "source_id"),
    comment="personal data of complainants: never joined into tiles, rollups or exports",
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("batch_id", Integer, ForeignKey("etl_batch.id"), nullable=False),
    Column("source", Text, nullable=False),
    Column("file_sha256", Text, nullable=False),
    Column("row_number", Integer, nullable=False, comment="1-based data row in the file"),
    Column("source_id", Text),
    Column("reasons", ARRAY(Text), nullable=False),
    Column("details", Text),
    Column("raw", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("source", "file_sha256", "row_number", name="quarantine_row"),
)

placeholder_coordinate = Table(
    "placeholder_coordinate",
    metadata,
    Column("lat", Float, primary_key=True),
    Column("lon", Float, primary_key=True),
    Column("repeats", Integer, nullable=False),
    Column("first_batch_id", Integer, ForeignKey("etl_batch.id")),
    comment="coordinates seen implausibly often (defaults of apps and forms)",
)

h3_cell = Table(
    "h3_cell",
    metadata,
    Column("cell", BigInteger, primary_key=True),
    Column("resolution", SmallInteger, nullable=False),
    Column("geom", Geometry("POLYGON", srid=4326, spatial_index=False), nullable=False),
    Column("geom_3857", Geometry("POLYGON", srid=3857, spatial_index=False), nullable=False),
    Column("area_km2", Float, comment="area on the sphere (H3), for densities"),
)
for _res in (7, 8, 9, 10):  # a tile's cells of one resolution without reading the others
    Index(
        f"h3_cell_r{_res}_geom_3857_gist",
        h3_cell.c.geom_3857,
        postgresql_using="gist",
        postgresql_where=text(f"resolution = {_res}"),
    )


def _measures() -> list[Column]:
    """Additive measures shared by the rollups (sums, so deltas can be added and subtracted)."""
    return [
        Column("n", Integer, nullable=False),
        Column("n_open", Integer, nullable=False),
        Column("n_resolved", Integer, nullable=False),
        Column("n_rejected", Integer, nullable=False),
        Column("n_late", Integer, nullable=False, comment="resolved or closed after due_at"),
        Column("n_rated", Integer, nullable=False),
        Column("rating_sum", Integer, nullable=False),
        Column("resolve_hours_sum", Float, nullable=False),
    ]


# Upper edges (days) of the bins of days to close kept by the unit rollup; the last bin is open.
CLOSE_DAY_BINS = (1, 2, 3, 5, 7, 10, 15, 30, 60)


def close_bin_columns() -> list[str]:
    """Names of the unit rollup's histogram columns of days to close, in bin order."""
    return [f"closed_d{edge}" for edge in CLOSE_DAY_BINS] + ["closed_dmore"]


def _unit_measures() -> list[Column]:
    """Measures only the unit rollup keeps: satisfied ratings, the sum of squared ratings
    (spread, for empirical Bayes) and complaints closed within each bin of days."""
    return [
        Column("n_satisfied", Integer, nullable=False, comment="ratings of 4 or 5"),
        Column("rating_sq_sum", Integer, nullable=False),
        *(
            Column(name, Integer, nullable=False, comment="closed within this bin of days")
            for name in close_bin_columns()
        ),
    ]


rollup_cell_day = Table(
    "rollup_cell_day",
    metadata,
    Column("h3_r7", BigInteger, nullable=False),
    Column("h3_r8", BigInteger, nullable=False),
    Column("h3_r9", BigInteger, nullable=False),
    Column("h3_r10", BigInteger, nullable=False),
    Column("day", Date, nullable=False, comment="local day of reception"),
    Column("field_code", CODE, nullable=False),
    Column("category_code", CODE, nullable=False, comment="'' when the complaint has none"),
    *_measures(),
    Column("channel", CODE, nullable=False, comment="channel of reception"),
    PrimaryKeyConstraint(
        "h3_r10", "h3_r9", "h3_r8", "h3_r7", "day", "field_code", "category_code", "channel"
    ),
    comment="complaints by H3 cells (resolutions 7-10) of their point, day, field, category, "
    "channel",
)
Index("rollup_cell_day_day", rollup_cell_day.c.day)
for _res in (7, 8, 9):  # heat tiles sum the rollup by a coarser cell, often over a span of days
    Index(f"rollup_cell_day_r{_res}_day", rollup_cell_day.c[f"h3_r{_res}"], rollup_cell_day.c.day)

rollup_cell_month = Table(
    "rollup_cell_month",
    metadata,
    Column("resolution", SmallInteger, nullable=False),
    Column("cell", BigInteger, nullable=False),
    Column("month", Date, nullable=False, comment="first day of the local month of reception"),
    Column("field_code", CODE, nullable=False, comment="'*' for all fields together"),
    *_measures(),
    Column(
        "category_code",
        CODE,
        nullable=False,
        comment="'*' for all categories together, '' for complaints without one",
    ),
    Column("channel", CODE, nullable=False, comment="'*' for all channels"),
    PrimaryKeyConstraint("resolution", "cell", "month", "field_code", "category_code", "channel"),
    comment="complaints by H3 cell (resolutions 7-9) and month: all together ('*'), by channel "
    "(7-8), and at resolution 7 also by field and by field and category",
)

rollup_unit_day = Table(
    "rollup_unit_day",
    metadata,
    Column("boundary_set", CODE, nullable=False),
    Column("unit_code", CODE, nullable=False),
    Column("day", Date, nullable=False),
    Column("field_code", CODE, nullable=False),
    Column("category_code", CODE, nullable=False, comment="'' when the complaint has none"),
    *_measures(),
    *_unit_measures(),
    PrimaryKeyConstraint("boundary_set", "unit_code", "day", "field_code", "category_code"),
    comment="complaints by unit, day, field and category; also satisfaction spread and "
    "days to close as a histogram (choropleths)",
)
Index(
    "complaint_open_due",
    complaint.c.due_at,
    postgresql_where=text("status IN ('received', 'assigned', 'processing')"),
)
Index("complaint_handling_unit", complaint.c.handling_unit_code, complaint.c.received_at)

legend_breaks = Table(
    "legend_breaks",
    metadata,
    Column("layer", CODE, nullable=False),
    Column("metric", CODE, nullable=False),
    Column("boundary_set", CODE, nullable=False, comment="'' for layers without a set"),
    Column("filters", CODE, nullable=False, comment="canonical filter text (period included)"),
    Column("method", Text, nullable=False, comment="mapclassify classifier"),
    Column("breaks", ARRAY(Float), nullable=False, comment="upper bounds of the classes"),
    Column("lowest", Float, nullable=False, comment="lower bound of the first class"),
    Column("units", Integer, nullable=False, comment="values classified"),
    Column("data_version", BigInteger, nullable=False, comment="data version when computed"),
    Column("computed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("layer", "metric", "boundary_set", "filters"),
    comment="class breaks computed once per layer, metric, set and filters, then frozen, so "
    "map colours do not jump when data arrive",
)

data_version = Table(
    "data_version",
    metadata,
    Column("id", SmallInteger, primary_key=True, server_default=text("1")),
    Column("version", BigInteger, nullable=False, server_default=text("0")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("id = 1", name="data_version_single_row"),
    comment="bumped by every batch that changes complaints; part of every cache key",
)

hotspot_run = Table(
    "hotspot_run",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("method", CODE, nullable=False, comment="'gi*', 'emerging' or 'recurring'"),
    Column("params", JSONB, nullable=False),
    Column(
        "params_key", CODE, nullable=False, comment="canonical text of params: equal runs share it"
    ),
    Column("data_version", BigInteger, nullable=False),
    Column("boundary_set", CODE, nullable=False, comment="study area"),
    Column("resolution", SmallInteger, comment="H3 resolution (none for recurring spots)"),
    Column("n_cells", Integer, comment="cells of the study area (none for recurring spots)"),
    Column(
        "n_complaints",
        BigInteger,
        nullable=False,
        comment="complaints counted (recurring: complaints in the spots)",
    ),
    Column("n_hot", Integer, comment="cells hot: significant (Gi*) or of a hot pattern (emerging)"),
    Column(
        "n_cold", Integer, comment="cells cold: significant (Gi*) or of a cold pattern (emerging)"
    ),
    Column("seconds", Float, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("n_spots", Integer, comment="recurring spots found"),
    UniqueConstraint("method", "params_key", "data_version", name="hotspot_run_params"),
    comment="analytics runs (Gi*, emerging hot spots, recurring spots): parameters, data "
    "version, summary",
)

hotspot_cell = Table(
    "hotspot_cell",
    metadata,
    Column(
        "run_id",
        BigInteger,
        ForeignKey("hotspot_run.id", name="hotspot_cell_run", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("cell", BigInteger, nullable=False),
    Column("n", Integer, nullable=False),
    Column("z", Float, nullable=False),
    Column("p", Float, nullable=False, comment="two-sided"),
    Column("p_fdr", Float, nullable=False, comment="Benjamini-Hochberg adjusted"),
    Column(
        "class",
        SmallInteger,
        nullable=False,
        comment="+3/+2/+1 hot at 99/95/90 % after FDR, 0 none, negative cold",
    ),
    PrimaryKeyConstraint("run_id", "cell", name="hotspot_cell_pkey"),
    comment="Gi* of every cell of a run's study area, zero counts included",
)

emerging_cell = Table(
    "emerging_cell",
    metadata,
    Column(
        "run_id",
        BigInteger,
        ForeignKey("hotspot_run.id", name="emerging_cell_run", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("cell", BigInteger, nullable=False),
    Column(
        "pattern",
        CODE,
        nullable=False,
        comment="'new hot' ... 'historical cold' or 'no pattern' (ArcGIS's 17 categories)",
    ),
    Column("n", Integer, nullable=False, comment="complaints over all steps"),
    Column("n_last_step", Integer, nullable=False),
    Column("z_last", Float, nullable=False, comment="space-time Gi* z of the last step"),
    Column("tau", Float, nullable=False, comment="Mann-Kendall tau of the z-scores"),
    Column("p_trend", Float, nullable=False, comment="two-sided p of the trend"),
    Column("hot_steps", SmallInteger, nullable=False, comment="steps significantly hot"),
    Column("cold_steps", SmallInteger, nullable=False, comment="steps significantly cold"),
    PrimaryKeyConstraint("run_id", "cell", name="emerging_cell_pkey"),
    comment="emerging hot spots: pattern and trend of every cell of a run's study area",
)

recurring_spot = Table(
    "recurring_spot",
    metadata,
    Column(
        "run_id",
        BigInteger,
        ForeignKey("hotspot_run.id", name="recurring_spot_run", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "spot",
        Integer,
        nullable=False,
        comment="rank in the run: most days first, then most complaints",
    ),
    Column("n", Integer, nullable=False, comment="complaints in the cluster"),
    Column("days", Integer, nullable=False, comment="distinct local days"),
    Column("weeks", Integer, nullable=False, comment="distinct weeks (ISO)"),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("lat", Float, nullable=False, comment="centroid of the complaints"),
    Column("lon", Float, nullable=False),
    Column("area_m2", Float, nullable=False),
    Column(
        "units",
        JSONB,
        nullable=False,
        comment="units of the run's boundary set it touches: [{code, name}]",
    ),
    Column(
        "outline",
        Geometry("POLYGON", srid=4326, spatial_index=False),
        nullable=False,
        comment="convex hull of the complaints buffered by half of eps",
    ),
    Column("outline_3857", Geometry("POLYGON", srid=3857, spatial_index=False), nullable=False),
    PrimaryKeyConstraint("run_id", "spot", name="recurring_spot_pkey"),
    comment="recurring spots: the DBSCAN clusters a run kept",
)
