"""Complaint ingestion: read, validate, geocode, H3-index and load."""
