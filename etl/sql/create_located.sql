-- The geocoding result of each staged row: units from the point-in-polygon hits (through the
-- crosswalk for list-only versions) or from the address geocoder. A point in a unit of its
-- reception-day set but in no unit of today's set (coastlines drawn differently) gets today's
-- unit by following the crosswalks forward (flag current_via_crosswalk).
CREATE UNLOGGED TABLE {located} AS
SELECT
    s.row_number,
    CASE WHEN pending THEN d.target ELSE s.ward_set END AS ward_set,
    CASE WHEN pending THEN coalesce(x.to_code, d.code) ELSE s.ward_code END AS ward_code,
    CASE WHEN pending THEN coalesce(c.target, f.to_version) ELSE s.current_set END
        AS current_set,
    CASE WHEN pending THEN coalesce(c.code, CASE WHEN NOT f.split THEN f.to_code END)
         ELSE s.current_ward_code END AS current_ward_code,
    CASE
        WHEN NOT pending THEN s.geocode_method
        WHEN c.code IS NULL AND d.code IS NULL THEN 'none'
        WHEN c.snapped OR d.snapped THEN 'snapped'
        ELSE 'coordinates'
    END AS geocode_method,
    CASE
        WHEN NOT pending THEN s.geocode_confidence
        WHEN c.code IS NULL AND d.code IS NULL THEN 0.0
        WHEN c.snapped OR d.snapped THEN 0.8
        WHEN x.split OR f.split THEN 0.7
        WHEN c.code IS NULL THEN 0.8
        ELSE 1.0
    END AS geocode_confidence,
    CASE WHEN pending THEN
        CASE WHEN x.split THEN x.candidates
             WHEN c.code IS NULL AND f.split THEN f.candidates
             ELSE '{{}}'::text[] END
    ELSE s.geocode_candidates END AS geocode_candidates,
    s.flags
      || CASE WHEN pending AND (c.snapped OR d.snapped) THEN ARRAY['snapped'] ELSE '{{}}' END
      || CASE WHEN pending AND (x.split OR (c.code IS NULL AND f.split))
              THEN ARRAY['split_ward'] ELSE '{{}}' END
      || CASE WHEN pending AND c.code IS NULL AND d.code IS NOT NULL
              THEN CASE WHEN f.to_code IS NOT NULL THEN ARRAY['current_via_crosswalk']
                        ELSE ARRAY['no_current_unit'] END
              ELSE '{{}}' END
      || CASE WHEN pending AND c.code IS NULL AND d.code IS NULL
              THEN ARRAY['outside_coverage', 'unlocated'] ELSE '{{}}' END
      || CASE WHEN NOT pending AND s.geocode_method = 'none'
              THEN ARRAY['unlocated'] ELSE '{{}}' END
      AS flags
FROM {stage} AS s
CROSS JOIN LATERAL (SELECT s.geocode_method = 'pending' AS pending) AS m
LEFT JOIN {hits} AS d ON d.row_number = s.row_number AND d.role = 'dated'
LEFT JOIN {hits} AS c ON c.row_number = s.row_number AND c.role = 'current'
LEFT JOIN (
    SELECT w.from_version, w.to_version, w.from_code,
           min(w.to_code) AS to_code,
           count(*) > 1 OR bool_or(w.partial) AS split,
           array_agg(w.to_code ORDER BY w.to_code) AS candidates
    FROM boundary_crosswalk AS w
    GROUP BY w.from_version, w.to_version, w.from_code
) AS x ON x.from_version = d.via AND x.to_version = d.target AND x.from_code = d.code
LEFT JOIN {forward} AS f
  ON c.code IS NULL AND f.start_version = d.target AND f.start_code = coalesce(x.to_code, d.code)
