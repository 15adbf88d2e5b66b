SELECT geocode_method, count(*) FROM {located} GROUP BY geocode_method
