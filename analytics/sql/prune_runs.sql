-- Stored runs (Gi*, emerging, recurring; their cells and spots go with them) that are no
-- longer needed: superseded by a run of the same method and parameters at a newer data
-- version stored at least `grace_minutes` ago (tiles cut for the older version meanwhile may
-- still read the old run), and, when `days` is given, any run stored more than `days` ago.
-- `method` and `key` limit it to one run's parameters (NULL: all). Returns the ids deleted.
DELETE FROM hotspot_run AS old
WHERE (%(method)s::text IS NULL OR old.method = %(method)s::text)
  AND (%(key)s::text IS NULL OR old.params_key = %(key)s::text)
  AND (EXISTS (
           SELECT 1 FROM hotspot_run AS newer
           WHERE newer.method = old.method AND newer.params_key = old.params_key
             AND newer.data_version > old.data_version
             AND newer.created_at < now() - make_interval(mins => %(grace_minutes)s)
       )
       OR old.created_at < now() - make_interval(days => %(days)s::int))
RETURNING old.id
