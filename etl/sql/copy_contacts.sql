-- Contact details of new and changed complaints, kept apart (personal data), keyed like them.
COPY complaint_contact (source, source_id, name, phone, email) FROM STDIN (FORMAT binary)
