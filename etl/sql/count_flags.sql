SELECT flag, count(*) FROM {located}, unnest(flags) AS flag GROUP BY flag
