"""The documentation stands on its own: a person who clones the repository can follow every link, and no document
sends him to files outside it (the plans and design notes the project was started from are not shipped)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", ROOT / "bench" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
REPO_PATH = re.compile(r"`((?:docs|bench|src|tests)/[^`\s<>*:]+\.(?:md|py|toml|json))(?:::[^`]*)?`")
OUTSIDE = re.compile(r"\.\./shared|shared/seeds|\bDOMAIN\.md|\bARCHITECTURE\.md")


def _name(doc: Path) -> str:
    return str(doc.relative_to(ROOT))


def relative_links(text: str) -> list[str]:
    """The link targets of a Markdown text that point into the repository (no scheme, not a bare anchor)."""
    targets = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
            continue
        targets.append(target.split("#", 1)[0])
    return targets


def test_link_extraction_sees_relative_links_only():
    text = "[a](docs/x.md) [b](https://example.org/y.md) [c](#top) [d](../e.md#part) [e](mailto:a@b.c)"
    assert relative_links(text) == ["docs/x.md", "../e.md"]


@pytest.mark.parametrize("doc", DOCUMENTS, ids=_name)
def test_every_relative_link_points_to_a_file_of_the_repository(doc):
    missing = []
    for target in relative_links(doc.read_text(encoding="utf-8")):
        path = (doc.parent / target).resolve()
        if not path.exists() or not path.is_relative_to(ROOT):
            missing.append(target)
    assert missing == [], f"{_name(doc)} links to files the repository does not have: {missing}"


@pytest.mark.parametrize("doc", DOCUMENTS, ids=_name)
def test_every_repository_path_named_in_code_style_exists(doc):
    missing = [path for path in REPO_PATH.findall(doc.read_text(encoding="utf-8")) if not (ROOT / path).exists()]
    assert missing == [], f"{_name(doc)} names files the repository does not have: {missing}"


@pytest.mark.parametrize("doc", DOCUMENTS, ids=_name)
def test_no_document_refers_to_files_outside_the_repository(doc):
    outside = [match.group(0) for match in OUTSIDE.finditer(doc.read_text(encoding="utf-8"))]
    assert outside == [], f"{_name(doc)} refers to files outside the repository: {outside}"


def test_the_readme_links_the_domain_and_architecture_documents():
    links = relative_links((ROOT / "README.md").read_text(encoding="utf-8"))
    for document in ("docs/domain.md", "docs/architecture.md"):
        assert document in links
        assert (ROOT / document).exists()
