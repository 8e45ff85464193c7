"""Sphinx configuration of plurisim's reference site (``make docs``).

Sphinx with numpydoc, because every docstring in plurisim is numpydoc (the style of
NetworkX and scikit-learn, which the project follows) and ``sphinx-build -W`` turns
every problem into an error; MyST reads the Markdown pages (the README's opening
sections, docs/montreal-derivation.md). The tables of parameters and result fields
are written by the local extension ``_ext/plurisim_docs.py`` from the registry and
``fields.yaml``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

import plurisim

project = "plurisim"
author = "The plurisim developers"
release = plurisim.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "numpydoc",
    "myst_parser",
    "plurisim_docs",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "fields.yaml"]
root_doc = "index"

# Docstrings are numpydoc; every public name is listed by its module's __all__.
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc sections give the types
autodoc_inherit_docstrings = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

html_theme = "alabaster"
html_title = "plurisim reference"
html_static_path: list[str] = []
html_theme_options = {"description": "Negotiation among stakeholders who hold different values"}
