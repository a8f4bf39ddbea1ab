"""The README and docs/ only point at things that exist.

A newcomer follows these links first: a dead relative link, or a security target whose proving test
was renamed away, is a lie in the documentation. External links (http/https/mailto) are not checked
(CI has no internet).
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = sorted([ROOT / "README.md", *ROOT.glob("docs/**/*.md"), *ROOT.glob("*/README.md")])
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def relative_links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return [
        target
        for target in LINK.findall(text)
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target) and not target.startswith("#")
    ]


def test_there_are_documents_to_check():
    assert ROOT / "README.md" in DOCUMENTS
    assert any(path.parent.name == "docs" for path in DOCUMENTS)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(path):
    dead = []
    for target in relative_links(path):
        file_part = target.split("#", 1)[0]
        if file_part and not (path.parent / file_part).resolve().exists():
            dead.append(target)
    assert dead == [], f"dead links in {path.relative_to(ROOT)}"


def test_the_link_check_would_see_a_dead_link(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("[gone](nowhere.md) [web](https://example.org) [here](#top)\n```\n[code](x.md)\n```\n")
    assert relative_links(page) == ["nowhere.md"]


def test_every_test_named_in_the_security_targets_exists():
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    missing = []
    current_file = None
    for match in re.finditer(r"`([\w/]+\.py)?(::(\w+))?`", text):
        file_name, _, test_name = match.groups()
        if file_name:
            current_file = ROOT / file_name
            if not current_file.exists():
                missing.append(file_name)
                continue
        if test_name and current_file is not None and current_file.exists():
            if not re.search(rf"^def {test_name}\(", current_file.read_text(encoding="utf-8"), flags=re.M):
                missing.append(f"{current_file.relative_to(ROOT)}::{test_name}")
    assert missing == []
