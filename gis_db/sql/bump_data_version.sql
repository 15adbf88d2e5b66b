UPDATE data_version SET version = version + 1, updated_at = now() RETURNING version
