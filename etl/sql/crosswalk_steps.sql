-- Each unit of a version to the unit(s) of the next: the lowest code, whether it was split,
-- and every candidate.
SELECT w.from_version, w.to_version, w.from_code, min(w.to_code) AS to_code,
       count(*) > 1 OR bool_or(w.partial) AS split,
       array_agg(w.to_code ORDER BY w.to_code) AS candidates
FROM boundary_crosswalk AS w
GROUP BY w.from_version, w.to_version, w.from_code
