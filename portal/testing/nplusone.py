"""An N+1 query detector for the test settings.

Every request made in the test suite runs through `NPlusOneMiddleware`; if the same SQL
statement (same text, any parameters) runs more than `PORTAL_NPLUSONE_THRESHOLD` times within
one request, the request fails with `NPlusOneError` listing the statement (unless the view set
`request.repeated_writes`, for bulk entry through the services). Lists that prefetch
properly run each statement once or twice, whatever the number of rows; a per-row query shows
up as one statement repeated once per row."""

from collections import Counter

from django.conf import settings
from django.db import connections


class NPlusOneError(AssertionError):
    pass


class _Recorder:
    def __init__(self):
        self.counts = Counter()

    def __call__(self, execute, sql, params, many, context):
        self.counts[sql] += 1
        return execute(sql, params, many, context)


class NPlusOneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        threshold = getattr(settings, "PORTAL_NPLUSONE_THRESHOLD", 12)
        recorder = _Recorder()
        wrappers = [connections[alias].execute_wrapper(recorder) for alias in connections]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
            if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
                response.render()
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        repeated = [(sql, n) for sql, n in recorder.counts.items() if n > threshold]
        # A view that writes many records through the services on purpose (a back-entry of a
        # whole consultation, a ledger import) says so with `request.repeated_writes = "why"`.
        if repeated and not getattr(request, "repeated_writes", None):
            detail = "\n".join(f"{n}× {sql}" for sql, n in repeated)
            raise NPlusOneError(f"N+1 queries in {request.method} {request.path}:\n{detail}")
        return response
