"""pytest plugin for mutation runs only (scripts/mutation_report.py loads it with `-p`): every test
session starts from a copy of one migrated SQLite file instead of migrating a new in-memory database.

Migrating takes seconds and mutmut starts a test session per mutant. The template is made once per
run by `manage.py migrate`; each session (each mutant) gets its own copy, so sessions that run side
by side, or tests that flush the tables, never see each other's data.
"""

import os
import shutil

TEMPLATE = os.environ.get("MUTATION_DB_TEMPLATE", "")


def pytest_configure(config):
    if not TEMPLATE or not os.path.exists(TEMPLATE):
        return
    from django.db import connections

    copy = f"{TEMPLATE}.{os.getpid()}"
    shutil.copyfile(TEMPLATE, copy)
    connections["default"].settings_dict.setdefault("TEST", {})["NAME"] = copy
    config.option.reuse_db = True
    config._mutation_db_copy = copy


def pytest_unconfigure(config):
    copy = getattr(config, "_mutation_db_copy", None)
    if copy and os.path.exists(copy):
        os.remove(copy)
