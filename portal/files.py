"""Private files: stored under unguessable names and handed out only by views that checked the
caller's scope first — never by a public /media/ URL, in development as in production.

`private_upload_to("proposals/replies")` names a stored file `proposals/replies/2026/<32 hex>.pdf`
(the uploaded name is kept, where needed, in a model field of its own). `serve_private(...)`
answers with the file: by default Django streams it; behind nginx or Apache set
`PORTAL_SENDFILE_HEADER` so the web server sends it instead (README, "Private files"):

- `X-Accel-Redirect` (nginx): the header carries `PORTAL_SENDFILE_PREFIX` + the stored name,
  e.g. `/protected/proposals/replies/2026/….pdf`, served by an `internal` location aliasing
  MEDIA_ROOT;
- `X-Sendfile` (Apache mod_xsendfile, lighttpd): the header carries the absolute path.
"""

import mimetypes
import os
import uuid
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible


@deconstructible
class private_upload_to:  # noqa: N801 — used like a function in models' upload_to
    """upload_to callable: `<prefix>/<year>/<uuid4 hex><ext>` — nothing to guess, no personal
    data or path tricks from the uploaded name."""

    def __init__(self, prefix: str):
        self.prefix = prefix.strip("/")

    def __call__(self, instance, filename):
        ext = os.path.splitext(filename or "")[1].lower()
        if not ext[1:].isalnum() or len(ext) > 10:
            ext = ""
        return f"{self.prefix}/{timezone.now():%Y}/{uuid.uuid4().hex}{ext}"

    def __eq__(self, other):
        return isinstance(other, private_upload_to) and other.prefix == self.prefix


def serve_private(fieldfile, *, filename: str | None = None, as_attachment: bool = True,
                  content_type: str | None = None):
    """The response for a stored file the caller may read (the view checked the scope)."""
    if not fieldfile or not fieldfile.name:
        raise Http404
    name = fieldfile.name
    download_name = filename or os.path.basename(name)
    content_type = content_type or mimetypes.guess_type(download_name)[0] or "application/octet-stream"
    header = getattr(settings, "PORTAL_SENDFILE_HEADER", "")
    if header:
        try:
            if not fieldfile.storage.exists(name):
                raise Http404
        except (OSError, ValueError):
            raise Http404
        response = HttpResponse(content_type=content_type)
        if header.lower() == "x-accel-redirect":
            prefix = getattr(settings, "PORTAL_SENDFILE_PREFIX", "/protected/").rstrip("/")
            response[header] = quote(f"{prefix}/{name}")
        else:
            response[header] = fieldfile.path
        disposition = "attachment" if as_attachment else "inline"
        response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(download_name)}"
        return response
    try:
        handle = fieldfile.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404
    return FileResponse(handle, as_attachment=as_attachment, filename=download_name, content_type=content_type)


def files_login_required(view):
    """Like `login_required`, but an anonymous request for a private file answers 404, not a
    redirect to the login page: whether a file (or a record behind it) exists is itself private."""
    from functools import wraps

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
