-- Complaint fields in their display order, for legends.
SELECT code, name FROM complaint_field ORDER BY sort_order, code
