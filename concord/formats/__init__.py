"""Date and number formats per language (Django's FORMAT_MODULE_PATH): one date format
everywhere, ISO 8601 (2026-12-31), in lists, pages, exports and e-mails, for every language:
people of many countries read the same page, and 12/11/2026 means two different days to
them. Date boxes are the browser's own date picker, which follows the browser's language."""
