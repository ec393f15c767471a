"""Named limits (rules of the house, no. 7): every size, count and page is bounded and checked."""

from __future__ import annotations

# Login: django-axes locks a username on an address after this many failures, for this long.
LOGIN_FAILURES_MAX = 5
LOGIN_LOCKOUT_HOURS = 0.25

# HTTP requests.
REQUEST_BODY_BYTES_MAX = 60 * 1024 * 1024
UPLOAD_IN_MEMORY_BYTES_MAX = 5 * 1024 * 1024
FORM_FIELDS_MAX = 2_000

# Lists in the UI and the API.
PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 500

# Ledger: a transaction is a booking, not a batch.
POSTINGS_PER_TRANSACTION_MAX = 1_000

# Audit verification reads the chain in batches of this size.
AUDIT_VERIFY_BATCH_SIZE = 5_000

# Intake of enforcement requests (issue 3).
INTAKE_FILE_BYTES_MAX = 50 * 1000 * 1000
INTAKE_ROWS_MAX = 200_000
INTAKE_API_ITEMS_MAX = 10_000

# The daily run (issue 4): debtor files per unit of work; a worker's claim on a batch expires after this.
DAILY_BATCH_CASES = 200
DAILY_BATCH_LEASE_MINUTES = 30

# Bank files (issue 5): one XML or ZIP file (CLI, inbox; uploads are also bounded by the request size) and
# what a ZIP may unpack to; a camt.053 of 100,000 entries is about 100 MB unpacked.
BANK_FILE_BYTES_MAX = 200 * 1000 * 1000
BANK_UNPACKED_BYTES_MAX = 400 * 1000 * 1000
BANK_ZIP_MEMBERS_MAX = 500
# Direct payments a partner reports in one API request.
DIRECT_PAYMENTS_ITEMS_MAX = 1_000

# Documents: an uploaded document (assessment, declaration of a third party, scan) at most 20 MB; a print
# batch holds at most this many letters (a print service's usual job size), the rest go into the next one.
DOCUMENT_UPLOAD_BYTES_MAX = 20_000_000
PRINT_BATCH_LETTERS_MAX = 5_000
