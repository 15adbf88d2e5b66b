-- Parameters: source.
SELECT EXISTS (SELECT 1 FROM complaint WHERE source = %(source)s)
