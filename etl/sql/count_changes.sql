SELECT change, count(*) FROM {changes} GROUP BY change
