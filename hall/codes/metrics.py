"""Dashboard counts of the member and workroom codes (see portal/metrics.py), each by the day it
happened: received on, answered on, turned over on. Rolled up over the unit where a message is
followed up (the workroom's unit, the member's liaison group)."""

from django.utils.translation import gettext_lazy as _

from portal.metrics import Source, metric, subtree_counts

from ..models import CodeMessage

SECTION = _("Online hall")
_MESSAGES = [Source("hall.CodeMessage")]  # every date field of the message: received, answered, turned over


@metric("hall.code_messages", _("Messages sent by scanning member and workroom codes"), section=SECTION,
        unit=_("items"), order=60, sources=_MESSAGES)
def code_messages(units, start, end):
    return subtree_counts(CodeMessage.objects.filter(received_on__range=(start, end)), units)


@metric("hall.code_messages_answered", _("Scanned-code messages answered"), section=SECTION, unit=_("items"),
        order=61, sources=_MESSAGES)
def code_messages_answered(units, start, end):
    return subtree_counts(CodeMessage.objects.filter(answered_on__range=(start, end)), units)


@metric("hall.code_messages_topics", _("Scanned-code messages turned into topics"), section=SECTION,
        unit=_("items"), order=62, sources=_MESSAGES)
def code_messages_topics(units, start, end):
    qs = CodeMessage.objects.filter(converted_on__range=(start, end), status=CodeMessage.Status.TOPIC)
    return subtree_counts(qs, units)


@metric("hall.code_messages_opinions", _("Scanned-code messages turned into public-opinion items"),
        section=SECTION, unit=_("items"), order=63, sources=_MESSAGES)
def code_messages_opinions(units, start, end):
    qs = CodeMessage.objects.filter(converted_on__range=(start, end), status=CodeMessage.Status.OPINION)
    return subtree_counts(qs, units)
