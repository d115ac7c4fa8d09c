"""The package's shape: imports point only down the floors, and every piece fits on a screen.

The floors (``docs/architecture.md``)::

    estimators   _base, _regressor, _classifier, _checks (and the side rooms on them)
    training     _training (the stochastic loop), _lbfgs, _rules, _records
    core         _network, _optimizers, _epoch, _callbacks, _training_log
    bottom       _losses, _activations, _ops (the namespace helpers they compute with)

Sizes are counted in code lines: not blank, not comments, not docstrings.
"""

import ast
import io
import tokenize
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sknumpy_nn"
MODULES = sorted(path.stem for path in PACKAGE.glob("*.py"))

ESTIMATORS = {"_base", "_regressor", "_classifier", "_checks", "_dispatch", "_scoring"}
TRAINING = {"_training", "_lbfgs", "_rules", "_records"}
CORE = {"_network", "_optimizers", "_epoch", "_callbacks", "_training_log"}
BOTTOM = {"_losses", "_activations", "_ops"}
# What each floor may import from the package: its own floor's modules and those below.
ALLOWED = {
    "training": TRAINING | CORE | BOTTOM,
    "core": CORE | BOTTOM,
    "bottom": BOTTOM,
}

MAX_MODULE, MAX_CLASS, MAX_FUNCTION, MAX_BASE = 300, 200, 40, 220
ESTIMATOR_CLASSES = ("BaseNumpyMLP", "NumpyMLPRegressor", "NumpyMLPClassifier")
ESTIMATOR_INITS = [[name, "__init__"] for name in ESTIMATOR_CLASSES]


def _floor(module: str) -> str | None:
    for name, members in (("training", TRAINING), ("core", CORE), ("bottom", BOTTOM)):
        if module in members:
            return name
    return None


def _tree(module: str) -> ast.Module:
    return ast.parse((PACKAGE / f"{module}.py").read_text())


def _imported_modules(module: str) -> set[str]:
    """The package's modules that ``module`` imports (relative or absolute)."""
    found = set()
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(alias.name for alias in node.names)
            elif node.module and node.module.startswith("sknumpy_nn."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(
                alias.name.split(".")[1]
                for alias in node.names
                if alias.name.startswith("sknumpy_nn.")
            )
    return found & set(MODULES)


def code_lines(source: str) -> set[int]:
    """Line numbers that hold code: no blank lines, comments or docstrings."""
    lines = set()
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    skip |= {tokenize.ENCODING, tokenize.ENDMARKER}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skip:
            lines.update(range(token.start[0], token.end[0] + 1))
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            lines -= set(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def _sizes(module: str):
    """``(kind, qualified name, code lines)`` of the module, its classes and functions."""
    source = (PACKAGE / f"{module}.py").read_text()
    lines = code_lines(source)
    yield "module", module, len(lines)

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                span = range(child.lineno, child.end_lineno + 1)
                kind = "class" if isinstance(child, ast.ClassDef) else "function"
                yield kind, name, len(lines.intersection(span))
                yield from visit(child, name + ".")

    yield from visit(ast.parse(source), f"{module}.")


def test_every_module_is_on_a_floor_or_above_them():
    # A new module must be placed, so its imports are checked.
    unplaced = set(MODULES) - ESTIMATORS - TRAINING - CORE - BOTTOM
    side_rooms = {
        "__init__",
        "_class_weight",
        "_docstrings",
        "_plotting",
        "_show_versions",
        "_streaming",
    }
    assert unplaced <= side_rooms, f"place {sorted(unplaced - side_rooms)} on a floor"


@pytest.mark.parametrize("module", [m for m in MODULES if _floor(m)])
def test_imports_only_point_down(module):
    imported = _imported_modules(module)
    assert not imported & ESTIMATORS, f"{module} imports an estimator module"
    assert imported <= ALLOWED[_floor(module)], (
        f"{module} ({_floor(module)}) imports {sorted(imported - ALLOWED[_floor(module)])}"
    )


def test_the_training_floor_takes_no_estimator():
    # The trainer is given arrays, a settings record and hooks, never the estimator.
    for module in TRAINING & set(MODULES):
        for node in ast.walk(_tree(module)):
            if isinstance(node, ast.FunctionDef):
                names = [arg.arg for arg in node.args.args + node.args.kwonlyargs]
                assert "estimator" not in names, f"{module}.{node.name} takes an estimator"


def test_the_training_floor_exists():
    assert {"_training", "_rules", "_records"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_sizes_a_newcomer_can_hold(module):
    too_big = []
    for kind, name, size in _sizes(module):
        limit = {"module": MAX_MODULE, "class": MAX_CLASS, "function": MAX_FUNCTION}[kind]
        if module == "_base" and kind == "module":
            limit = MAX_BASE
        if kind == "function" and name.split(".")[-2:] in ESTIMATOR_INITS:
            continue  # an estimator's __init__ spells out its parameters, as sklearn needs
        if size > limit:
            too_big.append(f"{kind} {name}: {size} code lines > {limit}")
    assert not too_big, "\n".join(too_big)


def test_the_estimator_base_fits_in_300_lines_all_told():
    # Docstrings and comments included: the estimator translates, it does not train.
    assert len((PACKAGE / "_base.py").read_text().splitlines()) <= 300


def test_code_lines_skip_blanks_comments_and_docstrings():
    source = '"""Doc."""\n\n# comment\ndef f(x):\n    """Doc\n    more."""\n    return x  # why\n'
    assert code_lines(source) == {4, 7}
