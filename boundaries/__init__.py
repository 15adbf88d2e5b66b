"""Versioned administrative boundaries, crosswalks between versions and official unit lists."""
