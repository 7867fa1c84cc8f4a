"""JSON that never carries raw markup: `<`, `>` and `&` are written as \\u escapes. The decoded
values are unchanged, but an error message that echoes a query parameter can never be sniffed
or pasted into a page as live HTML."""

from rest_framework.renderers import JSONRenderer


class SafeJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        body = super().render(data, accepted_media_type, renderer_context)
        return body.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")
