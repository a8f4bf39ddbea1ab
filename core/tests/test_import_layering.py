"""Import layering: which project apps each app's code (tests and migrations aside) may import.

notifications is below identity (identity sends its codes through it): what identity shows on the
notifications pages comes through `notifications.hooks`, registered from identity's AppConfig.ready().
The table below is the dependency graph as it stands; a new dependency between apps is a decision:
add it here on purpose, or invert it with a hook.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ALLOWED = {
    "core": set(),
    "regions": {"core"},
    "audit": {"core", "identity", "regions"},
    "notifications": {"audit", "core"},
    "identity": {"audit", "core", "notifications", "regions"},
    "documents": {"audit", "core", "identity"},
    "reviews": {"audit", "core", "documents", "identity", "notifications", "regions"},
    "dossier": {"audit", "core", "documents", "identity", "regions", "reviews"},
    "phone_change": {"audit", "core", "documents", "dossier", "identity", "notifications", "regions", "reviews"},
    "continuing_education": {"audit", "core", "documents", "dossier", "identity", "regions", "reviews"},
    "institutions": {"audit", "continuing_education", "core", "identity", "regions"},
    "certificates": {"audit", "continuing_education", "core", "documents", "dossier", "identity"},
    "integrity": {"audit", "core", "documents", "dossier", "identity", "regions", "reviews"},
    "reports": {"audit", "continuing_education", "core", "documents", "dossier", "identity", "regions", "reviews"},
    "api": {
        "audit",
        "certificates",
        "continuing_education",
        "core",
        "dossier",
        "identity",
        "institutions",
        "regions",
        "reviews",
    },
}


def code_files(app: str) -> list[Path]:
    return [
        path
        for path in sorted((ROOT / app).rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(ROOT / app).parts)
    ]


def imported_apps(path: Path) -> set[str]:
    """The project apps a module imports, anywhere in it (function-level imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & ALLOWED.keys()
    return found


def test_the_scan_finds_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\n\ndef f():\n    from identity.staff_selectors import x\n    import dossier.models\n")
    assert imported_apps(module) == {"identity", "dossier"}


def test_notifications_imports_nothing_from_identity():
    offenders = [
        str(path.relative_to(ROOT)) for path in code_files("notifications") if "identity" in imported_apps(path)
    ]
    assert offenders == []


def test_notifications_templates_include_no_identity_template():
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "notifications" / "templates").rglob("*.html"))
        if '"identity/' in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_each_app_imports_only_the_apps_it_may(app):
    unexpected = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) - ALLOWED[app] - {app}) for path in code_files(app)
    }
    assert {path: apps for path, apps in unexpected.items() if apps} == {}
