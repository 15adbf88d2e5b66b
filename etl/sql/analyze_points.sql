ANALYZE {points}
