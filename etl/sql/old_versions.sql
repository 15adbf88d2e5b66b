-- The stored versions that a batch's updates replace, for the rollups to take away (times as
-- microseconds since 1970).
COPY (
    SELECT (extract(epoch FROM c.received_at) * 1000000)::bigint, c.field_code, c.category_code,
           c.channel, c.status, (extract(epoch FROM c.resolved_at) * 1000000)::bigint,
           (extract(epoch FROM c.closed_at) * 1000000)::bigint,
           (extract(epoch FROM c.due_at) * 1000000)::bigint, c.satisfaction, c.ward_set,
           c.ward_code, c.current_set, c.current_ward_code, c.h3_r7, c.h3_r8, c.h3_r9, c.h3_r10
    FROM complaint AS c
    JOIN {updates} AS u ON u.id = c.id
) TO STDOUT (FORMAT csv)
