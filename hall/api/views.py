"""Staff writes of the hall over the API (the public hall itself is served as pages)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.fields import EventDateField

from .. import selectors, services
from ..models import Comment


class AdoptionInputSerializer(serializers.Serializer):
    adoption = serializers.ChoiceField(choices=[c for c in Comment.Adoption.choices if c[0]])
    reply = serializers.CharField(max_length=2000)
    adopted_on = EventDateField(help_text="The day it was decided (default today).")


class AdoptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    consultation = serializers.IntegerField(source="consultation_id")
    body = serializers.CharField()
    adoption = serializers.CharField()
    adoption_reply = serializers.CharField()
    adopted_at = serializers.DateTimeField()
    adopted_on = serializers.DateField()


class CommentAdoptionView(APIView):
    """Record whether a resident's suggestion was adopted (and implemented), with a reply. Staff
    (secretary, office clerk) of the consultation's unit or above; others get 404."""

    @extend_schema(request=AdoptionInputSerializer, responses=AdoptionSerializer)
    def post(self, request, pk: int):
        comment = selectors.comment_for_staff(user=request.user, pk=pk)
        data = AdoptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_set_adoption(actor=request.user, comment=comment,
                                                adoption=data.validated_data["adoption"],
                                                reply=data.validated_data["reply"],
                                                adopted_on=data.validated_data["adopted_on"])
        return Response(AdoptionSerializer(comment).data)
