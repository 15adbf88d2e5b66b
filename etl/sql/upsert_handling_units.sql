-- Handling units named by this batch (the latest name and level win).
INSERT INTO handling_unit (code, name, level)
SELECT DISTINCT ON (s.handling_unit_code)
       s.handling_unit_code, coalesce(nullif(s.handling_unit_name, ''), s.handling_unit_code),
       nullif(s.handling_unit_level, '')
FROM {stage} AS s
WHERE coalesce(s.handling_unit_code, '') <> ''
ORDER BY s.handling_unit_code, s.received_at DESC
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level
