"""The registry of audit actions: every action code used in the source has a Chinese label."""

import ast
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from audit.actions import action_choices, label_for, register_action, registered_actions

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "e2e", "migrations", "var", "node_modules", "drills", "bench", "scripts"}


def _strings(node):
    """String constants an expression can evaluate to (a literal, either arm of `a if c else b`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    if isinstance(node, ast.JoinedStr):
        # f"reviews.{x}": a pattern every value of which must be registered; kept as a regex.
        return ["re:" + "".join(re.escape(v.value) if isinstance(v, ast.Constant) else r"[\w.]+" for v in node.values)]
    return []


def action_codes_in_source() -> dict[str, set[str]]:
    """Every action code passed as `action=...` to a call, or as the first argument of a function
    whose first parameter is `action` (reviews._run("reviews.submit", ...)), in non-test source."""
    found: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        if SKIP.intersection(path.relative_to(ROOT).parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        takes_action = {
            f.name
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and f.args.args and f.args.args[0].arg == "action"
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name == "add_argument":  # argparse's action="store_true"
                continue
            values = [k.value for k in node.keywords if k.arg == "action"]
            if name in takes_action and node.args:
                values.append(node.args[0])
            for value in values:
                for code in _strings(value):
                    found.setdefault(code, set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_scan_finds_the_actions_of_every_kind_of_call():
    codes = action_codes_in_source()
    # keyword, conditional expression, positional through a helper
    assert {"reviews.view", "staff.activate", "staff.deactivate", "reviews.submit", "auth.logout"} <= set(codes)
    assert "store_true" not in codes


def test_every_action_code_used_in_the_source_has_a_label():
    registered = set(registered_actions())
    missing = {}
    for code, paths in action_codes_in_source().items():
        if code.startswith("re:"):
            pattern = re.compile(code[3:])
            if not any(pattern.fullmatch(r) for r in registered):
                missing[code] = sorted(paths)
        elif code not in registered:
            missing[code] = sorted(paths)
    assert missing == {}, "add these to audit/action_labels.py (with a zh_Hans translation)"


def test_every_registered_action_has_a_chinese_label():
    with translation.override("zh-hans"):
        untranslated = [code for code, label in action_choices() if not re.search(r"[\u4e00-\u9fff]", label)]
    assert untranslated == []


def test_label_for_gives_the_chinese_label_and_falls_back_to_the_code():
    with translation.override("zh-hans"):
        assert label_for("reviews.view") == "查看申请"
        assert label_for("no.such_action") == "no.such_action"
    with translation.override("en"):
        assert label_for("reviews.view") == "Viewed an application"


def test_registering_a_code_again_with_another_label_is_refused():
    register_action("reviews.view", "Viewed an application")  # the same label: fine
    with pytest.raises(ImproperlyConfigured):
        register_action("reviews.view", "Something else")
