"""The README's and the documentation pages' Python examples run, and print what they say.

Each page (the README, or a Markdown page under ``docs/``) runs its blocks top to bottom in
one namespace of its own; a comment line right after a ``print(...)`` line states what that
call prints. The gallery's scripts assert their own claims instead (``test_examples.py``).
"""

import contextlib
import importlib.util
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").rglob("*.md"))]


def _python_blocks(page: Path) -> list[str]:
    # A block that says it is run as a script (it starts worker processes that re-import
    # it) is checked by its own test instead (the dask recipe: tests/test_distributed.py).
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)
    blocks = [block for block in blocks if "run as a script" not in block.splitlines()[0]]
    # The GPU example needs torch, an optional dependency: it runs where torch is installed.
    if importlib.util.find_spec("torch") is None:
        blocks = [block for block in blocks if not block.startswith("import torch")]
    return blocks


def _expected_output(block: str) -> list[str]:
    lines = block.splitlines()
    return [
        line[2:]
        for previous, line in zip(lines, lines[1:])
        if line.startswith("# ") and "print(" in previous
    ]


def test_the_readme_stays_a_landing_page():
    assert len(README.read_text().splitlines()) <= 250
    assert len(_python_blocks(README)) == 1, "one short example; the rest is in the guide"


def test_the_pages_hold_the_examples():
    # The sixteen examples the README held before the user guide took them, the README's own
    # and the install page's.
    assert sum(len(_python_blocks(page)) for page in PAGES) >= 18


# A reader runs the examples with Python's default warning filters, where a ConvergenceWarning
# inside GridSearchCV is printed, not raised as the suite's warnings-as-errors would.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("page", PAGES, ids=[str(page.relative_to(ROOT)) for page in PAGES])
def test_page_examples_print_what_the_page_says(page):
    namespace = {}
    for block in _python_blocks(page):
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured):
            exec(compile(block, str(page), "exec"), namespace)
        printed = captured.getvalue().splitlines()
        expected = _expected_output(block)
        if expected:
            assert printed == expected
        else:
            assert printed, "every example prints its result"
