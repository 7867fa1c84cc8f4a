"""Shared API pieces: scoped object lookup that answers 404 outside the scope."""

from django.http import Http404


class ScopedObjectMixin:
    """`get_object` over the already-scoped queryset; malformed ids are 404 too."""

    def get_object(self):
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        try:
            obj = self.filter_queryset(self.get_queryset()).get(**{self.lookup_field: lookup})
        except (self.get_queryset().model.DoesNotExist, ValueError, TypeError):
            raise Http404
        except Exception as exc:
            from django.core.exceptions import ValidationError

            if isinstance(exc, ValidationError):
                raise Http404
            raise
        self.check_object_permissions(self.request, obj)
        return obj
