# ruff: noqa: T201 - a command-line report
"""Mutation testing of the core modules with mutmut 3 (`make mutation`), and the score per module.

    .venv/bin/python scripts/mutation_report.py --run                 # run every module, then report
    .venv/bin/python scripts/mutation_report.py --run reviews.scope   # one module
    .venv/bin/python scripts/mutation_report.py                       # report the last runs only

Each module is mutated against its own app's tests only, in its own folder var/mutation/<module>/:
a pyproject.toml made of the project's plus a [tool.mutmut] section for that module, and links to
the project's folders (mutmut copies them into mutants/ there, mutates one file and runs pytest in
that copy, on SQLite). Every run starts from a fresh copy, so new tests are always seen.

The report prints killed/total per module (a timeout counts as killed: the test run noticed) and
exits 1 when a module scores under the threshold (90 %) or has mutants that were not checked.
Mutants that cannot be killed because they do not change behaviour are listed with their reason in
docs/mutation-equivalents.md (a table: module | mutant | reason) and leave the total.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("MUTATION_SOURCE") or Path(__file__).resolve().parent.parent)  # another checkout
RUNS = Path(__file__).resolve().parent.parent / "var" / "mutation"
EQUIVALENTS = ROOT / "docs" / "mutation-equivalents.md"
THRESHOLD = 90.0

# module -> (file to mutate, the tests that judge it). Only the app's test files that exercise the
# module: mutmut runs, for each mutant, every selected test that called the mutated function, so the
# app's view tests would multiply the run time without judging the module any better.
MODULES = {
    "regions.calendar": (
        "regions/calendar.py",
        ["regions/tests/test_calendar.py", "regions/tests/test_mutants_calendar.py"],
    ),
    "reviews.scope": ("reviews/scope.py", ["reviews/tests/test_scope.py", "reviews/tests/test_mutants_scope.py"]),
    "identity.codes": (
        "identity/codes.py",
        [
            "identity/tests/test_codes.py",
            "identity/tests/test_mutants_codes.py",
            "identity/tests/test_mutants_ratelimit_codes.py",
        ],
    ),
    "reviews.services": (
        "reviews/services.py",
        [
            "reviews/tests/test_transitions.py",
            "reviews/tests/test_bulk_service.py",
            "reviews/tests/test_counters.py",
            "reviews/tests/test_accountant_side.py",
            "reviews/tests/test_registry.py",
            "reviews/tests/test_mutants_services.py",
            "reviews/tests/test_mutants_trail.py",
            "reviews/tests/test_mutants_bulk.py",
        ],
    ),
    "continuing_education.rules": (
        "continuing_education/rules.py",
        ["continuing_education/tests/test_rules.py", "continuing_education/tests/test_mutants_rules.py"],
    ),
    "identity.ratelimit": (
        "identity/ratelimit.py",
        [
            "identity/tests/test_ratelimit.py",
            "identity/tests/test_mutants_ratelimit.py",
            "identity/tests/test_mutants_ratelimit_codes.py",
        ],
    ),
}

# Never linked into a run folder: the environment, run state and what the tests do not need.
_NOT_LINKED = {".git", ".venv", "var", "mutants", ".hypothesis", ".ruff_cache", "__pycache__", "e2e", "media"}

KILLED = {1, 3, 36, 37, -24, 24, 152, 255, -11, -9}  # killed, pytest error, timeouts, type check, crash
SURVIVED = {0}
NO_TESTS = {5, 33}


def _toml_list(values) -> str:
    return "[" + ", ".join(json.dumps(str(v)) for v in values) + "]"


def prepare(module: str) -> Path:
    """A fresh run folder for `module`: links to the project and a pyproject.toml with its [tool.mutmut]."""
    target, tests = MODULES[module]
    run_dir = RUNS / module
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    packages, files = [], []
    for entry in sorted(ROOT.iterdir()):
        if entry.name in _NOT_LINKED or entry.name == "pyproject.toml":
            continue
        (run_dir / entry.name).symlink_to(entry)
        if entry.is_dir() and (entry / "__init__.py").exists():
            packages.append(entry.name)
        else:
            files.append(entry.name)
    section = f"""

[tool.mutmut]
# Written by scripts/mutation_report.py for one module; the project's pyproject.toml has no such section.
source_paths = {_toml_list(packages)}
only_mutate = {_toml_list([target])}
also_copy = {_toml_list(files)}
pytest_add_cli_args = ["-p", "no:xdist", "-p", "scripts.mutation_sqlite"]
pytest_add_cli_args_test_selection = {_toml_list(tests)}
# A mutant's tests may take (their clean duration + 10 s) x 5 of wall time before it counts as an
# endless loop (killed): enough on a busy 2-core machine, short enough that a loop costs a minute.
timeout_multiplier = 5.0
timeout_constant = 10.0
use_git_change_detection = false
"""
    (run_dir / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text("utf-8") + section, "utf-8")
    return run_dir


def run(module: str, *, max_children: int, timeout: float) -> int:
    """Run mutmut for one module in its folder, bounded by `timeout` seconds; return its exit code."""
    run_dir = prepare(module)
    log = run_dir / "mutmut.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL"}}
    env.update(HYPOTHESIS_PROFILE="ci", PYTHONDONTWRITEBYTECODE="1")
    mutmut = Path(sys.executable).parent / "mutmut"
    started = time.monotonic()
    print(f"== {module}: mutmut run (log: {log})", flush=True)
    with log.open("w") as out:
        # The compiled catalogues (tests assert on Chinese text), then one migrated SQLite file that
        # every test session copies (scripts/mutation_sqlite.py).
        subprocess.run([sys.executable, "-m", "core.translations"], cwd=ROOT, stdout=out, stderr=out, check=True)  # noqa: S603
        template = run_dir / "template.sqlite3"
        subprocess.run(  # noqa: S603 - our own virtualenv's python
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env={**env, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{template}"},
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
        env["MUTATION_DB_TEMPLATE"] = str(template)
        process = subprocess.Popen(  # noqa: S603 - our own virtualenv's mutmut
            [str(mutmut), "run", "--max-children", str(max_children)],
            cwd=run_dir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            print(f"   stopped after {timeout:.0f} s: the report counts what was checked", flush=True)
            return 124
    print(f"   done in {time.monotonic() - started:.0f} s (exit {code})", flush=True)
    return code


def equivalents() -> dict[str, dict[str, str]]:
    """module -> {mutant name: reason} from the table in docs/mutation-equivalents.md."""
    found: dict[str, dict[str, str]] = {}
    if not EQUIVALENTS.exists():
        return found
    row = re.compile(r"^\|\s*`?([\w.]+)`?\s*\|\s*`?([\w.]+__mutmut_\d+)`?\s*\|\s*(.+?)\s*\|\s*$")
    for line in EQUIVALENTS.read_text("utf-8").splitlines():
        match = row.match(line)
        if match:
            found.setdefault(match[1], {})[match[2]] = match[3]
    return found


def results(module: str) -> dict[str, int | None] | None:
    """mutant name -> exit code from the last run's meta file (None when the module never ran)."""
    target, _tests = MODULES[module]
    meta = RUNS / module / "mutants" / (target + ".meta")
    if not meta.exists():
        return None
    return json.loads(meta.read_text("utf-8"))["exit_code_by_key"]


def report(modules, *, verbose: bool) -> bool:
    """Print the score of each module; True when every module reaches the threshold."""
    known_equivalent = equivalents()
    ok = True
    print(f"{'module':<28} {'killed':>7} {'total':>6} {'equiv.':>6} {'score':>7}  survivors")
    for module in modules:
        codes = results(module)
        if codes is None:
            print(f"{module:<28} {'—':>7} {'—':>6} {'—':>6} {'—':>7}  never ran (--run {module})")
            ok = False
            continue
        listed = known_equivalent.get(module, {})
        equivalent = {name for name in listed if name in codes and codes[name] not in KILLED}
        stale = sorted(name for name in listed if name not in codes or codes[name] in KILLED)
        counted = {name: code for name, code in codes.items() if name not in equivalent}
        killed = sum(1 for code in counted.values() if code in KILLED)
        unchecked = sorted(name for name, code in counted.items() if code is None)
        survivors = sorted(name for name, code in counted.items() if code is not None and code not in KILLED)
        total = len(counted)
        score = 100.0 * killed / total if total else 100.0
        passed = score >= THRESHOLD and not unchecked
        ok = ok and passed
        flag = "" if passed else "  << under 90 %" if not unchecked else f"  << {len(unchecked)} not checked"
        print(f"{module:<28} {killed:>7} {total:>6} {len(equivalent):>6} {score:>6.1f}%  {len(survivors)}{flag}")
        if verbose:
            for name in survivors:
                kind = "no tests" if codes[name] in NO_TESTS else "survived" if codes[name] in SURVIVED else codes[name]
                print(f"    {name}  ({kind})")
        for name in stale:
            print(f"    note: {name} is listed as equivalent but was killed or no longer exists: drop it from the list")
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", choices=[[], *MODULES], metavar="module", help=", ".join(MODULES))
    parser.add_argument("--run", action="store_true", help="run mutmut first (each module in turn)")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds one module may run (default 1800)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the surviving mutants")
    args = parser.parse_args(argv)
    modules = args.modules or list(MODULES)
    if args.run:
        for module in modules:
            run(module, max_children=args.max_children, timeout=args.timeout)
    return 0 if report(modules, verbose=args.verbose) else 1


if __name__ == "__main__":
    sys.exit(main())
