"""Issue a development token: `python -m app.api.tokens CUS-100001 northwind [--role agent]`.

Uses OSA_JWT_SECRET, or the development secret in var/ that the local service also reads.
"""

from __future__ import annotations

import argparse

from app.api.auth import Role, TokenService, load_secret


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.api.tokens", description=__doc__)
    parser.add_argument("user_id", help="platform customer id (CUS-...) or an agent's id")
    parser.add_argument("client_id", help="tenant, e.g. northwind")
    parser.add_argument("--role", choices=[r.value for r in Role], default=Role.CUSTOMER.value)
    parser.add_argument("--ttl", type=int, default=3600, help="seconds until expiry")
    args = parser.parse_args(argv)
    service = TokenService(load_secret())
    print(service.issue(args.user_id, args.client_id, Role(args.role), ttl_s=args.ttl))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
