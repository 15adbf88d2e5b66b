-- Street datasets in the database.
SELECT DISTINCT dataset FROM street_segment ORDER BY dataset
