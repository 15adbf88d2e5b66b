"""Vietnamese address geocoding to HCMC wards of every version (2019, 2021, 2025-03, 2025-07)."""

from etl.address.geocoder import CONFIDENT, AddressGeocoder, AddressMatch
from etl.address.normalize import parse

__all__ = ["CONFIDENT", "AddressGeocoder", "AddressMatch", "parse"]
