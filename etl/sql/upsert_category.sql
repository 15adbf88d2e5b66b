-- Parameters: code, field_code, name, sla.
INSERT INTO complaint_category (code, field_code, name, sla_hours)
VALUES (%(code)s, %(field_code)s, %(name)s, %(sla)s)
ON CONFLICT (code) DO UPDATE
SET field_code = EXCLUDED.field_code, name = EXCLUDED.name, sla_hours = EXCLUDED.sla_hours
