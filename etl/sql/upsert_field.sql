-- Parameters: code, name, sort_order.
INSERT INTO complaint_field (code, name, sort_order)
VALUES (%(code)s, %(name)s, %(sort_order)s)
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, sort_order = EXCLUDED.sort_order
