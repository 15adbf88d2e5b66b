SELECT 'field', code FROM complaint_field UNION ALL SELECT 'category', code FROM complaint_category UNION ALL SELECT 'unit', code FROM handling_unit
