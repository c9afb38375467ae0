"""The documentation stays inside the repository: its links resolve, nothing cites outside papers."""

import re
import subprocess
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
# Papers that are not in the repository, and tracker numbers: a reader of the code cannot follow them.
OUTSIDE_REFERENCE = re.compile(
    r"DESIGN\.md|COMMON\.md|STYLE\.md|STACK-NOTES\.md|issue\s#\d|Done[- ]when \d"
)


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def anchors(document: Path) -> set[str]:
    """Return the heading anchors of a Markdown file, spelled as GitHub spells them."""
    found = set()
    for line in document.read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


def test_every_relative_link_of_the_docs_reaches_a_file_and_heading_of_the_repository():
    broken = []
    for document in documents():
        for target in LINK.findall(document.read_text()):
            if re.match(r"[a-z]+:", target):
                continue  # http(s), mailto: not a file of the repository
            path, _, anchor = target.partition("#")
            resolved = (document.parent / path).resolve() if path else document
            if not resolved.exists() or ROOT not in resolved.parents:
                broken.append(f"{document.relative_to(ROOT)}: {target}")
            elif anchor and anchor not in anchors(resolved):
                broken.append(f"{document.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, broken


def test_the_docs_index_lists_every_page():
    index = (ROOT / "docs" / "README.md").read_text()
    pages = {page.name for page in (ROOT / "docs").glob("*.md")} - {"README.md"}
    assert {page for page in pages if f"]({page})" not in index} == set()


def test_no_tracked_file_cites_a_document_outside_the_repository_or_an_issue_number():
    tracked = subprocess.run(["git", "ls-files", "*.py", "*.md", "*.html"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    citing = [
        f"{name}:{number}"
        for name in tracked
        if (ROOT / name).is_file()
        for number, line in enumerate((ROOT / name).read_text(errors="replace").splitlines(), 1)
        if OUTSIDE_REFERENCE.search(line) and name != "shop/tests/test_docs.py"
    ]
    assert not citing, citing
