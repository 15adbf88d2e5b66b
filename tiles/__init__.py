"""Mapbox Vector Tiles: layer registry, SQL and cache."""
