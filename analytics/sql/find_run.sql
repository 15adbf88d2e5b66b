-- A stored run with these parameters at this data version. Parameters: method, key, version.
SELECT id FROM hotspot_run
WHERE method = %(method)s AND params_key = %(key)s AND data_version = %(version)s
