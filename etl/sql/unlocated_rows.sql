-- Staged rows whose coordinates fell in no unit, even after snapping: their address is tried.
SELECT s.row_number, s.address, s.received_at
FROM {stage} AS s
WHERE s.geocode_method = 'pending'
  AND NOT EXISTS (SELECT 1 FROM {hits} AS h WHERE h.row_number = s.row_number)
  AND coalesce(s.address, '') <> ''
