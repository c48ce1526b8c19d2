"""The package version, in a module of its own that `primer_nb/__init__.py`, `client` and
`cli` import. Importing it runs `primer_nb/__init__.py` first, as for any submodule; that
file loads no other module of the package until a public name is used."""

__version__ = "0.1.0"
