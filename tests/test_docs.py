"""The documentation's sources agree with the package and with CI.

The build itself (``sphinx -W``, the gallery executed, numpydoc's validation) is the README's
documentation command, which ``.ci/run`` runs; these checks need no Sphinx.
"""

import re
from pathlib import Path

import sknumpy_nn

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _bash_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_the_api_reference_lists_every_public_name_once():
    listed = re.findall(r"^   (\w+)$", (DOCS / "api.rst").read_text(), flags=re.M)
    assert sorted(listed) == sorted(sknumpy_nn.__all__)


def test_ci_runs_the_readme_test_and_docs_commands_verbatim():
    readme = _bash_blocks((ROOT / "README.md").read_text())
    test_command = next(block for block in readme if "pytest" in block)
    docs_command = next(block for block in readme if "sphinx" in block)
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    commands = [line for line in ci if line.startswith("python3 ")]
    assert commands == [test_command, docs_command]


def test_the_docs_build_with_warnings_as_errors_into_the_place_the_readme_names():
    readme = (ROOT / "README.md").read_text()
    docs_command = next(block for block in _bash_blocks(readme) if "sphinx" in block)
    assert " -W " in docs_command and docs_command.endswith(" docs docs/_build/html")
    assert "docs/_build/html/index.html" in readme


def test_every_user_guide_page_is_in_the_guide_toctree():
    toctree = (DOCS / "user_guide" / "index.md").read_text()
    pages = {page.stem for page in (DOCS / "user_guide").glob("*.md")} - {"index"}
    listed = set(re.findall(r"^(\w+)$", toctree, flags=re.M))
    assert pages <= listed
