"""Page metadata from every source a page offers, fused into one answer per field with where it came from.

Pure functions over a parsed lxml tree, strings and dates: no I/O. ``collect`` reads the tree (JSON-LD,
OpenGraph/``article:*``, Dublin Core, microdata, ``<time>``, the URL), ``fuse`` picks each field by the
precedence in ``fuse.py`` and doubts dates in the future or before 1990, ``kind`` tells articles from listings,
product pages, templates, stubs and error pages.
"""
