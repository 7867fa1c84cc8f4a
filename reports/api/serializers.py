from rest_framework import serializers


class MetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    section = serializers.CharField()
    unit = serializers.CharField()
    has_records = serializers.BooleanField()
    numerator = serializers.CharField(required=False, help_text="A rate's numerator metric")
    denominator = serializers.CharField(required=False, help_text="A rate's denominator metric")


class PartSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField()


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
    numerator = PartSerializer(required=False, help_text="Rates only: the count above the line")
    denominator = PartSerializer(required=False, help_text="Rates only: the count below the line")


class ChildSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    values = serializers.DictField(child=serializers.FloatField())
    parts = serializers.DictField(child=serializers.ListField(child=serializers.FloatField()),
                                  help_text="Rates only: {key: [numerator, denominator]}")


class TableSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    section = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class DashboardSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    period = PeriodSerializer()
    as_of = serializers.DateTimeField(help_text="When the numbers were computed (snapshot time or now)")
    from_snapshot = serializers.BooleanField()
    metrics = MetricValueSerializer(many=True)
    children = ChildSerializer(many=True)
    tables = TableSerializer(many=True, help_text="Ranked lists (e.g. the evaluation ranking of handling units)")
