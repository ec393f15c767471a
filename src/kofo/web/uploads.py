"""Upload handling of the web UI: an intake file over the size limit is refused while it arrives.

Django stores an uploaded file (in memory or in a temporary file) before the view runs. This handler sits
in front of Django's own handlers and drops the file as soon as it passes ``INTAKE_FILE_BYTES_MAX``: the
rest of the request body is read and discarded, never stored (rules of the house, no. 7).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from kofo import limits


class IntakeSizeLimitHandler(FileUploadHandler):
    """Drops an uploaded file larger than :meth:`limit_bytes` (subclasses name their own limit)."""

    def limit_bytes(self) -> int:
        return limits.INTAKE_FILE_BYTES_MAX  # read at each upload, so a changed setting counts

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        # The request's length, kept apart: Django's new_file() overwrites ``content_length`` with the file
        # part's own (usually unknown) size.
        self.request_bytes: int | None = None
        #: Set when a file was dropped: the size known so far (the request's length, at least the limit).
        self.too_large_bytes: int | None = None

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,  # Django's parameter name
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        self.request_bytes = content_length
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit_bytes():
            self.too_large_bytes = max(self.request_bytes or 0, start + len(raw_data))
            raise SkipFile
        return raw_data  # passed on to Django's handlers, which store it

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the uploaded file
