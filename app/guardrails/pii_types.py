"""The kinds of PII the scrubber replaces, and their placeholders."""

from __future__ import annotations

from enum import StrEnum


class PiiType(StrEnum):
    EMAIL_ADDRESS = "EMAIL_ADDRESS"
    PHONE_NUMBER = "PHONE_NUMBER"
    CREDIT_CARD = "CREDIT_CARD"
    IBAN_CODE = "IBAN_CODE"
    US_SSN = "US_SSN"
    PERSON = "PERSON"
    STREET_ADDRESS = "STREET_ADDRESS"
    POSTCODE = "POSTCODE"


def placeholder(pii_type: PiiType) -> str:
    return f"<{pii_type.value}>"
