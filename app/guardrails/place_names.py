"""Names of places: a capitalised word or pair that is a town ("Las Vegas", "Kuala Lumpur",
"Lagos") is no person, although no dictionary lists it and it looks like a name.

The towns are libphonenumber's (Apache-2.0, through the `phonenumbers` package the scrubber
already uses for phone numbers): the English descriptions of its geocoding data, ~36,000 towns
and regions worldwide. Countries and their subdivisions come from pycountry. Read once from the
installed packages, not copied here.
"""

from __future__ import annotations

import re
import threading
from functools import cache

_lock = threading.Lock()


@cache
def place_names() -> frozenset[str]:
    """Place names as written ("Las Vegas", "Kuala Lumpur"), case-folded."""
    with _lock:
        import pycountry
        from phonenumbers.geodata import GEOCODE_DATA

        places: set[str] = set()
        for descriptions in GEOCODE_DATA.values():
            english = descriptions.get("en")
            if english:
                # "Charles City, IA", "Cruzeiro - SP": the town before the region code.
                for part in re.split(r",| - ", english):
                    if part.strip():
                        places.add(part.strip().casefold())
        for country in pycountry.countries:
            places.add(country.name.casefold())
            if common := getattr(country, "common_name", None):
                places.add(common.casefold())
        for subdivision in pycountry.subdivisions:
            places.add(subdivision.name.casefold())
        return frozenset(places)


def is_place(words: str) -> bool:
    return words.casefold() in place_names()
