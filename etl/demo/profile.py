"""The tunable profile (``profile.yaml``), the vocabulary (``texts.yaml``) and the taxonomy."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml

from etl.settings import EtlSettings
from etl.taxonomy import Taxonomy, read_taxonomy


@cache
def load_profile() -> dict:
    """The parsed ``profile.yaml`` of this package."""
    return yaml.safe_load((files("etl.demo") / "profile.yaml").read_text(encoding="utf-8"))


@cache
def load_texts() -> dict:
    """The parsed ``texts.yaml`` of this package."""
    return yaml.safe_load((files("etl.demo") / "texts.yaml").read_text(encoding="utf-8"))


def load_taxonomy() -> Taxonomy:
    """The taxonomy the ETL uses (``PHANANH_ETL_TAXONOMY`` or the packaged one)."""
    return read_taxonomy(EtlSettings().taxonomy)
