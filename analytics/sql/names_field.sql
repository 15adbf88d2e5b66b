SELECT code, name FROM complaint_field
