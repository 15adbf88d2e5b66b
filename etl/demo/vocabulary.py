"""Lookup tables joining places to the words of addresses: ward labels and streets."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from etl.demo.handlers import Units, build_units
from etl.demo.places import Geo
from etl.demo.profile import load_profile, load_texts
from etl.demo.text import LabelTable, StreetTable


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """Label indices per ward set, street indices per area, units."""

    labels: LabelTable
    streets: StreetTable
    label_19: np.ndarray  # per 2019 ward
    label_21: np.ndarray
    label_2503: np.ndarray
    label_new: np.ndarray  # per 168-unit ward, no district
    label_legacy: np.ndarray  # per 168-unit ward: a pre-reform name (-1: none known)
    area_streets: list[np.ndarray]  # per area of geo.areas -> street indices
    road_street: np.ndarray  # per road segment -> street index
    hotspot_street: np.ndarray  # per hotspot -> street index
    units: Units


@cache
def vocabulary(geo: Geo) -> Vocabulary:
    """The tables for ``geo`` (built once)."""
    texts = load_texts()
    hotspots = load_profile()["flooding"]["hotspots"]
    labels = LabelTable()
    b = geo.base
    label_19 = labels.add_many(b.name_19, b.district_19)
    label_21 = labels.add_many(b.name_21, b.district_21)
    label_2503 = labels.add_many(b.name_2503, b.district_2503)
    label_new = labels.add_many(geo.new.name, [""] * len(geo.new))
    label_legacy = np.array(
        [
            labels.add(w, d, p) if p != "79" and w else -1
            for w, d, p in zip(
                geo.new.legacy_name, geo.new.legacy_district, geo.new.province, strict=True
            )
        ]
    )
    labels.freeze()

    streets = StreetTable()
    by_key = {str(k): v for k, v in texts["streets"].items()}
    anywhere = sorted({s for names in by_key.values() for s in names})
    area_streets = []
    for area in geo.areas:
        names = by_key.get(area) or by_key.get(area.split(":")[0]) or anywhere
        area_streets.append(np.array([streets.add(s) for s in names]))
    road_street = np.array([streets.add(s) for s in geo.road_street])
    hotspot_street = np.array([streets.add(h["street"]) for h in hotspots])
    streets.freeze()
    return Vocabulary(
        labels=labels,
        streets=streets,
        label_19=label_19,
        label_21=label_21,
        label_2503=label_2503,
        label_new=label_new,
        label_legacy=label_legacy,
        area_streets=area_streets,
        road_street=road_street,
        hotspot_street=hotspot_street,
        units=build_units(geo),
    )
