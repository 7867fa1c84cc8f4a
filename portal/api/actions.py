"""What every API action shares: validate the request body with a serializer, call the service,
answer with the record's serializer. A refusal (`DomainError`) needs no code here: the exception
handler (portal.api.exceptions) answers it with its status (400/403/409) and message.

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        topic = self.get_object()                      # 404 outside the caller's scope
        return respond(TopicSerializer, services.topic_approve(actor=request.user, topic=topic,
                                                               **validated(request, ApproveSerializer)))
"""

from __future__ import annotations

from rest_framework import status as http
from rest_framework.response import Response


def validated(request, serializer_class, **kwargs) -> dict:
    """The request body checked by `serializer_class` (a 400 with the field errors otherwise)."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def respond(serializer_class, instance, status: int = http.HTTP_200_OK, **kwargs) -> Response:
    """The answer of an action: the record as `serializer_class` shows it."""
    return Response(serializer_class(instance, **kwargs).data, status=status)
