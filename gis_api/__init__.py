"""HTTP API (FastAPI) and the `phananh` command line."""
