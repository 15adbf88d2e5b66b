-- Recurring spots: DBSCAN clusters (in metres, UTM 48N) of the complaints of some categories
-- or fields, kept when their complaints fall on enough distinct days and weeks; each with its
-- outline (hull buffered by half of eps), counts, first and last day and the units of a
-- boundary set it touches; ranked (`spot`) by days, then complaints. The outline is returned as
-- lon/lat WKB for storing (recurring_spot).
-- Parameters: fields, categories, from_day, to_day, eps, min_points, min_days, min_weeks, set.
WITH picked AS (
    SELECT p.id, p.received_day, ST_Transform(p.geom, 32648) AS g
    FROM complaint_point AS p
    WHERE (%(fields)s::text[] IS NULL OR p.field_code = ANY(%(fields)s::text[]))
      AND (%(categories)s::text[] IS NULL OR p.category_code = ANY(%(categories)s::text[]))
      AND (%(from_day)s::date IS NULL OR p.received_day >= %(from_day)s::date)
      AND (%(to_day)s::date IS NULL OR p.received_day <= %(to_day)s::date)
), clustered AS (
    SELECT id, received_day, g,
           ST_ClusterDBSCAN(g, eps => %(eps)s, minpoints => %(min_points)s)
               OVER (ORDER BY id) AS cluster
    FROM picked
), spots AS (
    SELECT cluster, count(*) AS n, count(DISTINCT received_day) AS days,
           count(DISTINCT date_trunc('week', received_day)) AS weeks,
           min(received_day) AS first_day, max(received_day) AS last_day,
           ST_Transform(ST_Buffer(ST_ConvexHull(ST_Collect(g)), %(eps)s / 2.0), 4326) AS outline,
           ST_Transform(ST_Centroid(ST_Collect(g)), 4326) AS centre
    FROM clustered
    WHERE cluster IS NOT NULL
    GROUP BY cluster
    HAVING count(DISTINCT received_day) >= %(min_days)s
       AND count(DISTINCT date_trunc('week', received_day)) >= %(min_weeks)s
)
SELECT row_number() OVER (
           ORDER BY s.days DESC, s.n DESC, s.first_day, s.last_day, ST_Y(s.centre), ST_X(s.centre)
       )::int AS spot,
       s.n::int AS n, s.days::int AS days, s.weeks::int AS weeks, s.first_day, s.last_day,
       ST_Y(s.centre) AS lat, ST_X(s.centre) AS lon,
       round(ST_Area(s.outline::geography)::numeric)::float8 AS area_m2,
       ST_AsBinary(s.outline) AS outline,
       coalesce((
           SELECT jsonb_agg(jsonb_build_object('code', u.code, 'name', u.name) ORDER BY u.code)
           FROM boundary_unit AS u
           JOIN boundary_set AS b ON b.id = u.set_id
           WHERE b.slug = %(set)s AND ST_Intersects(u.geom, s.outline)
       ), '[]'::jsonb) AS units
FROM spots AS s
ORDER BY spot
