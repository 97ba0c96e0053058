"""Importing real "who does what where" (3W) files in HXL into assignments.

Real files are untidy, so the reader is tolerant: the hashtag row may sit under one or more
header rows; hashtag specs may hold spaces (``#org +acronym``); untagged columns are ignored;
pre-1.0 tags (``#adm1_id``, ``#activity_id``, ``#lat_deg``, ``#country/en``) are understood; a
file that is not UTF-8 is read as Windows-1252 (and the report says so).

``plan`` reads a file and decides, row by row, what each value matches, what must be created
and what cannot be used; nothing is written. The preview shows the plan; ``commit`` writes it
in one transaction (``services.import_assignments``). Every value that matched nothing is in
the report with the rows that carry it: nothing is dropped silently.
"""

from .plan import Options, Plan, commit, plan  # noqa: F401
from .sheet import ORG_KINDS, ROLES, STATUSES, Sheet, parse_tag, read  # noqa: F401
