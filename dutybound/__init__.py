"""dutybound: which high-risk-vendor obligations apply to a critical-infrastructure operator on a
given date, and why.

One import package gathers the repository's folders. ``engine``, ``reports``, ``templates``,
``jurisdictions`` and ``registry`` stay at the repository root, where lawyers and newcomers look
for the law and the templates, and appear inside this package as symbolic links
(docs/adr/0005-one-import-package.md); ``cli`` and ``service`` live here. Nothing is imported
at package level: the CLI's start-up time is part of the product.
"""
