-- Handling units named by this batch (new names and levels replace stored ones).
INSERT INTO handling_unit (code, name, level)
SELECT s.handling_unit_code,
       max(coalesce(nullif(s.handling_unit_name, ''), s.handling_unit_code)),
       max(nullif(s.handling_unit_level, ''))
FROM {stage} AS s
WHERE coalesce(s.handling_unit_code, '') <> ''
GROUP BY s.handling_unit_code
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level
