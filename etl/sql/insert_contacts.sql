-- Contact details of new and changed complaints, kept apart (personal data), keyed like them.
INSERT INTO complaint_contact (source, source_id, name, phone, email)
SELECT s.source, s.source_id, s.contact_name, s.contact_phone, s.contact_email
FROM {stage} AS s
JOIN {changes} AS ch ON ch.row_number = s.row_number
WHERE ch.change <> 'same'
  AND coalesce(s.contact_name, s.contact_phone, s.contact_email) IS NOT NULL
