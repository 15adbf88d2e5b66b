"""Statistics over complaints shared by tiles, the API and reports."""
