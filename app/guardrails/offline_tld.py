"""Keep tldextract (used by Presidio's email recognizer) off the network.

By default tldextract downloads the public suffix list on first use; without network that logs a
traceback and then falls back to the snapshot it bundles. We install an extractor that goes to the
snapshot directly: no URLs to try and no disk cache to read a stale list from.
"""

from __future__ import annotations

import os

import tldextract
import tldextract.tldextract as _tld_module


class OfflineTLDExtract(tldextract.TLDExtract):
    def __init__(self) -> None:
        super().__init__(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


def use_bundled_suffix_list() -> None:
    # Extractors that other code builds later read this variable: empty means "no URLs".
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    # `tldextract.extract` looks this module global up on every call, so replacing it is enough.
    if not isinstance(_tld_module.TLD_EXTRACTOR, OfflineTLDExtract):
        _tld_module.TLD_EXTRACTOR = OfflineTLDExtract()
