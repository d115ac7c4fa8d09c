"""The README's Python examples run, and print what the README says they print."""

import contextlib
import importlib.util
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _python_blocks():
    # A block that says it is run as a script (it starts worker processes that re-import
    # it) is checked by its own test instead (the dask recipe: tests/test_distributed.py).
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    blocks = [block for block in blocks if "run as a script" not in block.splitlines()[0]]
    # The GPU example needs torch, an optional dependency: it runs where torch is installed.
    if importlib.util.find_spec("torch") is None:
        blocks = [block for block in blocks if not block.startswith("import torch")]
    return blocks


def _expected_output(block):
    # A comment line right after a print(...) call states what that call prints.
    lines = block.splitlines()
    return [
        line[2:]
        for previous, line in zip(lines, lines[1:])
        if line.startswith("# ") and "print(" in previous
    ]


# A reader runs the examples with Python's default warning filters, where a ConvergenceWarning
# inside GridSearchCV is printed, not raised as the suite's warnings-as-errors would.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_readme_examples_print_what_the_readme_says():
    blocks = _python_blocks()
    assert len(blocks) >= 3
    namespace = {}
    for block in blocks:
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured):
            exec(compile(block, str(README), "exec"), namespace)
        printed = captured.getvalue().splitlines()
        expected = _expected_output(block)
        if expected:
            assert printed == expected
        else:
            assert printed, "every example prints its result"
