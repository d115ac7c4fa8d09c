"""Every gallery example runs, asserts its own claim, and ends in a figure.

The documentation build executes the same scripts (sphinx-gallery) but compares no output;
here each script's ``assert`` statements are what is tested.
"""

import ast
import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
SCRIPTS = sorted(EXAMPLES.glob("plot_*.py"))


def test_the_gallery_has_at_least_ten_examples():
    assert len(SCRIPTS) >= 10


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.stem for script in SCRIPTS])
def test_example_asserts_its_claim_and_draws_a_figure(script, monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")  # no display: figures are drawn, not shown
    import matplotlib.pyplot as plt

    tree = ast.parse(script.read_text())
    docstring = ast.get_docstring(tree)
    assert docstring, "sphinx-gallery takes the title and the first paragraph from it"
    title, underline = docstring.splitlines()[:2]
    assert title and set(underline) == {"="}, "the docstring starts with an RST title"
    asserts = [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    assert asserts, "an example asserts the claim it makes"

    # The scripts open files relative to themselves, as sphinx-gallery runs them.
    monkeypatch.chdir(EXAMPLES)
    plt.close("all")
    try:
        runpy.run_path(str(script), run_name="__main__")
        assert plt.get_fignums(), "an example ends in a figure"
    finally:
        plt.close("all")
