from rest_framework import serializers


class MetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    section = serializers.CharField()
    unit = serializers.CharField()
    has_records = serializers.BooleanField()


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()


class MetricValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    section = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.FloatField()
    link = serializers.CharField(allow_null=True, help_text="Page listing the records behind the number")


class ChildSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    values = serializers.DictField(child=serializers.FloatField())


class DashboardSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    period = PeriodSerializer()
    as_of = serializers.DateTimeField(help_text="When the numbers were computed (snapshot time or now)")
    from_snapshot = serializers.BooleanField()
    metrics = MetricValueSerializer(many=True)
    children = ChildSerializer(many=True)
