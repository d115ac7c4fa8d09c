"""Sphinx configuration of sknumpy_nn's documentation (built offline, warnings as errors)."""

import os
from pathlib import Path

from docutils import nodes

import sknumpy_nn

# The gallery's figures are drawn without a display.
os.environ.setdefault("MPLBACKEND", "Agg")

project = "sknumpy_nn"
author = "the sknumpy_nn developers"
copyright = "2026, the sknumpy_nn developers"
release = version = sknumpy_nn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "examples", "auto_examples/*.ipynb", "auto_examples/*.py", "**.zip"]

# --- API reference: one page per public name, generated from the numpydoc docstrings.
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
# Every public docstring is checked when its page is built; a failure is a warning, and -W
# makes it an error. Left out: a See Also and an Examples section on every method (the
# estimators' Examples cover them), an extended summary for one-line methods, and RT02: we
# name what is returned (``self : object``), as scikit-learn's docstrings do.
numpydoc_validation_checks = {"all", "SA01", "EX01", "ES01", "GL08", "RT02"}
numpydoc_validation_exclude = {
    # Inherited from scikit-learn's mixins and BaseEstimator: their docstrings are its own.
    r"\.get_params$",
    r"\.set_params$",
    r"\.set_.*_request$",
    r"\.get_metadata_routing$",
    r"\.score$",
}

# --- Markdown pages.
myst_enable_extensions = ["colon_fence", "deflist", "substitution"]
myst_heading_anchors = 3
myst_substitutions = {"version": version}

# --- Gallery: every example runs at build time; an example that fails fails the build.
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    "show_memory": False,
    "show_signature": False,
    "reset_modules": ("matplotlib",),
    # Links from the API reference to the examples that use each name.
    "doc_module": ("sknumpy_nn",),
    "backreferences_dir": str(Path("generated") / "backreferences"),
}

# --- HTML: the pydata theme, as scikit-learn's, imbalanced-learn's and skorch's sites use;
# nothing fetched at build time (the machines are offline).
html_theme = "pydata_sphinx_theme"
html_title = f"sknumpy_nn {version}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
# Pages without sub-pages get no (empty) section navigation.
html_sidebars = {
    page: [] for page in ("install", "quickstart", "differences", "changelog", "architecture")
}
html_static_path = ["_static"]
html_css_files = ["custom.css"]


# --- scikit-learn's own labels and glossary terms, used by the docstrings of the methods the
# estimators inherit (score, get_metadata_routing, set_*_request): linked to its pages by
# plain URL, as intersphinx would but without fetching its inventory.
SKLEARN_PAGES = {
    "metadata_routing": "metadata_routing.html",
    "r2_score": "modules/model_evaluation.html#r2-score",
    "accuracy_score": "modules/model_evaluation.html#accuracy-score",
    "meta-estimator": "glossary.html#term-meta-estimator",
}


def _link_to_sklearn(app, env, node, contnode):
    page = SKLEARN_PAGES.get(node.get("reftarget"))
    if page is None:
        return None
    reference = nodes.reference("", "", internal=False)
    reference["refuri"] = "https://scikit-learn.org/stable/" + page
    reference.append(contnode)
    return reference


def setup(app):
    app.connect("missing-reference", _link_to_sklearn)
