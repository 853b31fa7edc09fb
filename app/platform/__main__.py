"""Command line of the reference order platform.

    python -m app.platform serve [--host H] [--port P] [--seed-if-empty] [--tau2 PATH]
    python -m app.platform seed [--seed N] [--customers-per-client N] [--tau2 PATH]
    python -m app.platform export --out FILE [--client ID]
    python -m app.platform import FILE [--replace] [--no-rebase]
    python -m app.platform openapi [--out FILE]

The database comes from PLATFORM_DATABASE_URL (default: SQLite at var/platform.db).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from app.credentials import Credential, require_deployable
from app.platform import db
from app.platform.dataset import PlatformDataset, export_dataset, load_dataset
from app.platform.seed import generate
from app.platform.settings import PlatformSettings


def _ensure_sqlite_dir(url: str) -> None:
    prefix = "sqlite+aiosqlite:///"
    if url.startswith(prefix) and url != prefix + ":memory:":
        Path(url.removeprefix(prefix)).parent.mkdir(parents=True, exist_ok=True)


async def _seed(
    settings: PlatformSettings, args: argparse.Namespace, *, only_if_empty: bool
) -> str:
    _ensure_sqlite_dir(settings.database_url)
    engine = db.make_engine(settings.database_url)
    try:
        await db.create_schema(engine)
        sessions = db.make_sessionmaker(engine)
        async with sessions() as session:
            existing = await session.scalar(select(func.count()).select_from(db.CustomerRow))
        if only_if_empty and existing:
            return f"platform database already holds {existing} customers; not seeding"
        dataset = generate(seed=args.seed, customers_per_client=args.customers_per_client)
        if args.tau2:
            from app.platform.tau2_import import tau2_dataset

            extra = tau2_dataset(Path(args.tau2), as_of=dataset.as_of)
            dataset = merge(dataset, extra)
        await load_dataset(sessions, dataset, replace=True, now=datetime.now(UTC))
        return (
            f"seeded {len(dataset.clients)} clients, {len(dataset.customers)} customers, "
            f"{len(dataset.orders)} orders"
        )
    finally:
        await engine.dispose()


def merge(first: PlatformDataset, second: PlatformDataset) -> PlatformDataset:
    """Two datasets with the same as_of, concatenated."""
    second = second.rebased(first.as_of)
    data = first.model_dump()
    for field, values in second.model_dump().items():
        if isinstance(values, list):
            data[field] = data[field] + values
    return PlatformDataset.model_validate(data)


async def _export(settings: PlatformSettings, client_id: str | None) -> PlatformDataset:
    engine = db.make_engine(settings.database_url)
    try:
        return await export_dataset(
            db.make_sessionmaker(engine), as_of=datetime.now(UTC), client_id=client_id
        )
    finally:
        await engine.dispose()


async def _import(
    settings: PlatformSettings, dataset: PlatformDataset, replace: bool, rebase: bool
) -> None:
    _ensure_sqlite_dir(settings.database_url)
    engine = db.make_engine(settings.database_url)
    try:
        await db.create_schema(engine)
        await load_dataset(
            db.make_sessionmaker(engine),
            dataset,
            replace=replace,
            now=datetime.now(UTC) if rebase else None,
        )
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.platform",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def seed_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--seed", type=int, default=7)
        p.add_argument("--customers-per-client", type=int, default=200)
        p.add_argument("--tau2", help="also import tau2-bench retail db.json as client tau2_retail")

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8100)
    serve.add_argument("--seed-if-empty", action="store_true")
    seed_options(serve)

    seed = sub.add_parser("seed", help="replace the database content with generated seed data")
    seed_options(seed)

    export = sub.add_parser("export", help="write the database in the import format")
    export.add_argument("--out", type=Path, required=True)
    export.add_argument("--client")

    imp = sub.add_parser("import", help="load a dataset file (the documented import format)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--replace", action="store_true")
    imp.add_argument("--no-rebase", action="store_true")

    openapi = sub.add_parser("openapi", help="print or write the OpenAPI document")
    openapi.add_argument("--out", type=Path)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = PlatformSettings.from_env()

    if args.command == "serve":
        import uvicorn

        require_deployable(
            "the reference platform",
            [
                Credential("PLATFORM_API_KEY", settings.api_key),
                Credential("PLATFORM_ADMIN_KEY", settings.admin_key),
            ],
        )

        from app.platform.service import create_app

        if args.seed_if_empty:
            print(asyncio.run(_seed(settings, args, only_if_empty=True)), file=sys.stderr)
        else:
            _ensure_sqlite_dir(settings.database_url)
        uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    elif args.command == "seed":
        print(asyncio.run(_seed(settings, args, only_if_empty=False)), file=sys.stderr)
    elif args.command == "export":
        dataset = asyncio.run(_export(settings, args.client))
        args.out.write_text(dataset.model_dump_json(indent=1))
    elif args.command == "import":
        dataset = PlatformDataset.model_validate_json(args.file.read_text())
        asyncio.run(_import(settings, dataset, args.replace, not args.no_rebase))
    elif args.command == "openapi":
        from app.platform.service import create_app

        document = json.dumps(create_app(settings).openapi(), indent=1, sort_keys=True)
        if args.out:
            args.out.write_text(document + "\n")
        else:
            print(document)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
