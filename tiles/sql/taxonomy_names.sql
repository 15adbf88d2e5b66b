-- Names of complaint fields and categories by code, for legends.
SELECT code, name FROM complaint_field
UNION ALL
SELECT code, name FROM complaint_category
