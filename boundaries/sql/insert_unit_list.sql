-- Create an official unit list header. Returns the id.
-- Parameters: slug, name, effective_date, source, licence, sha256.
INSERT INTO admin_unit_list (slug, name, effective_date, source, licence, sha256)
VALUES (%(slug)s, %(name)s, %(effective_date)s::date, %(source)s, %(licence)s, %(sha256)s)
RETURNING id
