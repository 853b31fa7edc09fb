"""The agent knows the order platform only through its client and the contract types.

The platform is another company's system: `app/platform/` holds the contract, the client and
a reference implementation of the service. Nothing outside the reference service may import
its internals (its rules, queries, database, service, settings, ...): an agent that shared
the reference's rule code would silently diverge from a real platform with other rules."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
# What a caller of the platform may use: the REST contract's types, the client, its errors,
# and the documented import/export format.
ALLOWED = {"app.platform.contract", "app.platform.client", "app.platform.errors"}
ALLOWED_FORMAT = {"app.platform.dataset"}


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from app.platform import rules` imports a submodule by name.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def platform_internals(modules: set[str]) -> set[str]:
    return {
        m
        for m in modules
        if m.startswith("app.platform.")
        and m not in ALLOWED | ALLOWED_FORMAT
        # `from app.platform.contract import Order` names a type, not a module.
        and not any(m.startswith(f"{ok}.") for ok in ALLOWED | ALLOWED_FORMAT)
    }


def test_nothing_outside_the_reference_service_imports_its_internals() -> None:
    offenders = {
        str(path.relative_to(APP.parent)): sorted(platform_internals(imported_modules(path)))
        for path in APP.rglob("*.py")
        if "platform" not in path.relative_to(APP).parts[:1]
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_sees_each_import_form(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import app.platform.rules\n"
        "from app.platform.queries import customer_row\n"
        "from app.platform import db\n"
        "from app.platform.contract import Order\n"
        "from app.platform.client import PlatformClient\n"
    )
    assert platform_internals(imported_modules(module)) == {
        "app.platform.rules",
        "app.platform.queries",
        "app.platform.queries.customer_row",
        "app.platform.db",
    }
