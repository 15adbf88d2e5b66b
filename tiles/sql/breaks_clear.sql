-- Forget every frozen class break; legends compute them again on their next request.
DELETE FROM legend_breaks
