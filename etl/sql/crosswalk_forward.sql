-- Every unit of an older version followed through the crosswalks to the given version(s): the
-- unit it became, or its candidates when it was split. Parameters: targets.
WITH RECURSIVE chain AS (
    SELECT w.from_version AS start_version, w.from_code AS start_code, w.to_version,
           w.to_code, w.partial AS split
    FROM boundary_crosswalk AS w
    UNION ALL
    SELECT ch.start_version, ch.start_code, w.to_version, w.to_code, ch.split OR w.partial
    FROM chain AS ch
    JOIN boundary_crosswalk AS w ON w.from_version = ch.to_version AND w.from_code = ch.to_code
)
SELECT ch.start_version, ch.start_code, ch.to_version, min(ch.to_code) AS to_code,
       count(DISTINCT ch.to_code) > 1 OR bool_or(ch.split) AS split,
       array_agg(DISTINCT ch.to_code ORDER BY ch.to_code) AS candidates
FROM chain AS ch
WHERE ch.to_version = ANY(%(targets)s::text[])
GROUP BY ch.start_version, ch.start_code, ch.to_version
ORDER BY ch.to_version DESC
