-- The unit of each point per role ('dated': the set in force on the reception day; 'current':
-- the set in force today). Where two pieces claim a point (slivers), the lowest code wins.
CREATE UNLOGGED TABLE {hits} AS
SELECT DISTINCT ON (r.row_number, ps.role)
       r.row_number, ps.role, ps.target, ps.via, r.code, false AS snapped
FROM {pip} AS r
JOIN {points} AS pt ON pt.row_number = r.row_number
JOIN {periods} AS ps
  ON ps.set_id = r.set_id
 AND (ps.role = 'current' OR pt.day BETWEEN ps.valid_from AND ps.valid_to)
ORDER BY r.row_number, ps.role, ps.target, r.code
