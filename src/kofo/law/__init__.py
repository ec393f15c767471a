"""Pure legal rules: no Django, no I/O (an import-linter contract enforces it).

Each rule is a module of pure functions over data files, its docstrings citing the paragraph
(AO, SVwVG, BGB, ZPO), its tests citing the source of every expected value. See ../shared/LAW.md.
"""
