-- Handling units named by this batch (new names and levels replace stored ones).
INSERT INTO handling_unit (code, name, level)
SELECT u.code, u.name, u.level
FROM {units} AS u
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level
