"""The language boundary: reading the customer (orders, items, the case, consent) and checking what we tell them (claims)."""
