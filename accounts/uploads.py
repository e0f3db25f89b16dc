"""An upload handler that stops a multipart body as soon as it is over the upload limit.

`accounts.middleware.RequestSizeLimitMiddleware` refuses a body whose declared length
is too large before it is read; this handler (first in FILE_UPLOAD_HANDLERS) holds the
same limit while the body is parsed, for any way a view is reached (a test client, a
middleware order changed by mistake): no file over `UPLOAD_REQUEST_MAX_BYTES` reaches
the disk or memory."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class UploadLimitHandler(FileUploadHandler):
    """Counts every file byte of the request; past the limit the upload stops, the
    connection is reset and the file fields are left out (the form then says the
    document is missing)."""

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_REQUEST_MAX_BYTES:
            raise StopUpload(connection_reset=True)
        return raw_data  # handed on to the next handler

    def file_complete(self, file_size):
        return None
