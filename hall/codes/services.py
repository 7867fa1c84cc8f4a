"""Every write of the member and workroom codes: atomic, permission-checked, guarded, audited.

Who may do what (one table, read by the services and the buttons alike):

============================  ==============================================================
action                        who
============================  ==============================================================
show / print a code           the member themself; a workroom's lead member and members; the
                              office clerks over the member's unit, the workroom editors
                              (secretary, office clerk) over the workroom's unit
renew a code                  the same people (the old code stops working at once)
retire a code                 the same people (the code stops working; a new one is made the next
                              time the code is printed)
send a message                anyone with the code (no account needed), rate-limited
read, answer                  the addressee (member; workroom lead and members) and the
                              secretaries / office clerks over the message's unit
turn into a topic (议题)       whoever may create topics at the message's unit
                              (``consultations.services.topic_create`` decides)
turn into 社情民意             whoever may submit a 社情民意 item for that unit (proposals
                              decides, through ``portal.handoffs``)
============================  ==============================================================
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member, Workroom
from organizations.permissions import CLERK_ROLES, MANAGE_ROLES, has_role
from portal.audit import audit_log, snapshot
from portal.errors import DomainError, GuardFailed, NotAllowed
from portal.handoffs import handoff

from ..models import CodeMessage, ContactCode

REPLY_MAX = 2000


class CodeUnavailable(DomainError):
    """An unknown, replaced or withdrawn code: the resident gets a friendly page, never a 500."""

    status_code = 404

    def __init__(self):
        super().__init__(_("This code is not valid any more. Ask the member or the workroom for a new one, "
                           "or propose your topic in the online hall."), code="code_unavailable")


# --- Who may ----------------------------------------------------------------------------------


def _workroom_people(workroom: Workroom) -> set[int]:
    ids = set(workroom.members.filter(user__isnull=False).values_list("user_id", flat=True))
    if workroom.lead_member_id and workroom.lead_member and workroom.lead_member.user_id:
        ids.add(workroom.lead_member.user_id)
    return ids


def can_show_member_code(user, member: Member) -> bool:
    return user.is_authenticated and (member.user_id == user.pk or has_role(user, CLERK_ROLES, member.org_path))


def can_show_workroom_code(user, workroom: Workroom) -> bool:
    if not user.is_authenticated:
        return False
    return has_role(user, MANAGE_ROLES, workroom.org_path) or user.pk in _workroom_people(workroom)


def is_addressee(user, message: CodeMessage) -> bool:
    if not user.is_authenticated:
        return False
    if message.member_id:
        return message.member.user_id == user.pk
    return user.pk in _workroom_people(message.workroom)


def can_handle(user, message: CodeMessage) -> bool:
    """Read and answer: the addressee, or the secretaries and clerks over the message's unit."""
    return is_addressee(user, message) or has_role(user, MANAGE_ROLES, message.org_path)


def can_make_topic(user, message: CodeMessage) -> bool:
    from consultations.rules import can_manage

    return user.is_authenticated and can_manage(user, message.org_path)


# --- Codes ------------------------------------------------------------------------------------


def _followed_up_at(member: Member):
    """Where a member's messages are followed up: their liaison group (first active posting),
    else their CPPCC unit."""
    posting = member.postings.filter(is_active=True).select_related("org_unit").order_by("org_path").first()
    return posting.org_unit if posting else member.org_unit


@transaction.atomic
def code_for(*, actor, member: Member | None = None, workroom: Workroom | None = None) -> ContactCode:
    """The active code of a member or workroom, created on first use (the same code is printed
    again and again until someone renews it)."""
    if (member is None) == (workroom is None):
        raise DomainError(_("Choose a member or a workroom."))
    if member is not None and not can_show_member_code(actor, member):
        raise NotAllowed()
    if workroom is not None and not can_show_workroom_code(actor, workroom):
        raise NotAllowed()
    target = {"member": member} if member is not None else {"workroom": workroom}
    code = ContactCode.objects.select_for_update().filter(is_active=True, **target).first()
    if code is None:
        code = ContactCode.objects.create(**target)
        audit_log(actor=actor, action="hall.code.create", target=member or workroom,
                  after=snapshot(code, ["is_active"]))
    return code


@transaction.atomic
def code_renew(*, actor, member: Member | None = None, workroom: Workroom | None = None) -> ContactCode:
    """A new code (a card was lost, a plaque replaced): the old one stops working at once, its
    messages stay."""
    old = code_for(actor=actor, member=member, workroom=workroom)
    ContactCode.objects.filter(pk=old.pk).update(is_active=False)
    new = ContactCode.objects.create(member=member, workroom=workroom)
    audit_log(actor=actor, action="hall.code.renew", target=member or workroom,
              before={"is_active": True}, after={"is_active": True})
    return new


def can_manage_code(user, code: ContactCode) -> bool:
    """Show, renew or retire this code (the member's or workroom's own rule)."""
    if code.member_id:
        return can_show_member_code(user, code.member)
    return can_show_workroom_code(user, code.workroom)


def _locked_active(actor, code: ContactCode) -> ContactCode:
    code = (ContactCode.objects.select_for_update(of=("self",))
            .select_related("member", "workroom__lead_member").get(pk=code.pk))
    if not can_manage_code(actor, code):
        raise NotAllowed()
    if not code.is_active:
        raise GuardFailed(_("This code has already been replaced or retired."))
    return code


@transaction.atomic
def code_retire(*, actor, code: ContactCode) -> ContactCode:
    """Withdraw this code (a plaque taken down, a card lost) without printing a new one yet: it
    stops working at once, its messages stay. Refused when it is no longer the active code."""
    code = _locked_active(actor, code)
    code.is_active = False
    code.save(update_fields=["is_active"])
    audit_log(actor=actor, action="hall.code.retire", target=code.member or code.workroom,
              before={"is_active": True}, after={"is_active": False})
    return code


@transaction.atomic
def code_reissue(*, actor, code: ContactCode) -> ContactCode:
    """Renew this very code (``code_renew``), refused when someone already replaced or retired
    it — so two offices renewing at once make one new code, not two."""
    code = _locked_active(actor, code)
    return code_renew(actor=actor, member=code.member, workroom=code.workroom)


def code_lookup(slug: str) -> ContactCode:
    """The active code behind a scanned slug, with its addressee; CodeUnavailable otherwise."""
    from members.models import WorkroomStatus

    slug = (slug or "").strip()
    if not slug or len(slug) > 32:
        raise CodeUnavailable()
    code = (ContactCode.objects.select_related("member__org_unit", "member__sector", "workroom__org_unit",
                                               "workroom__lead_member")
            .filter(slug=slug, is_active=True).first())
    if code is None:
        raise CodeUnavailable()
    if code.member_id and not code.member.is_active:
        raise CodeUnavailable()
    if code.workroom_id and code.workroom.status not in (WorkroomStatus.APPROVED, WorkroomStatus.PLAQUED):
        raise CodeUnavailable()
    return code


# --- Messages ---------------------------------------------------------------------------------


@transaction.atomic
def message_create(*, code: ContactCode, title: str, body: str, contact_name: str = "", contact_phone: str = "",
                   submitter=None) -> CodeMessage:
    """A resident writes to the member or workroom of a scanned code (no account needed)."""
    code = code_lookup(code.slug)
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise DomainError(_("Give your message a title."), field="title")
    if not body:
        raise DomainError(_("Write your message first."), field="body")
    if code.member_id:
        unit = _followed_up_at(code.member)
    else:
        unit = code.workroom.org_unit
    message = CodeMessage.objects.create(
        code=code, member=code.member, workroom=code.workroom, org_unit=unit, title=title[:120], body=body[:3000],
        contact_name=(contact_name or "").strip()[:60], contact_phone=(contact_phone or "").strip()[:30],
        submitter=submitter if getattr(submitter, "is_authenticated", False) else None,
    )
    audit_log(actor=message.submitter, action="hall.code_message.create", target=message,
              after=snapshot(message, ["title", "status", "member", "workroom"]))
    return message


def _clean_reply(reply: str) -> str:
    reply = (reply or "").strip()
    if not reply:
        raise DomainError(_("Write a reply to the resident."), field="reply")
    if len(reply) > REPLY_MAX:
        raise DomainError(_("Write a reply of at most 2000 characters."), field="reply")
    return reply


def _locked_open(actor, message: CodeMessage) -> CodeMessage:
    message = (CodeMessage.objects.select_for_update(of=("self",))
               .select_related("member", "workroom__lead_member", "org_unit").get(pk=message.pk))
    if not can_handle(actor, message):
        raise NotAllowed()
    if message.status != CodeMessage.Status.NEW:
        raise GuardFailed(_("This message has already been answered."))
    return message


def _close(actor, message: CodeMessage, status: str, reply: str) -> None:
    today = timezone.localdate()
    message.status = status
    message.reply = reply
    message.answered_by = actor
    message.answered_on = today
    if status in (CodeMessage.Status.TOPIC, CodeMessage.Status.OPINION):
        message.converted_on = today
    message.save()


@transaction.atomic
def message_answer(*, actor, message: CodeMessage, reply: str) -> CodeMessage:
    """The member (or the workroom, or the liaison group's secretary) answers the resident."""
    reply = _clean_reply(reply)
    message = _locked_open(actor, message)
    before = snapshot(message, ["status", "reply"])
    _close(actor, message, CodeMessage.Status.ANSWERED, reply)
    audit_log(actor=actor, action="hall.code_message.answer", target=message, before=before,
              after=snapshot(message, ["status", "reply", "answered_on"]))
    return message


@transaction.atomic
def message_to_topic(*, actor, message: CodeMessage, title: str, description: str, reply: str) -> CodeMessage:
    """Turn the message into a consultation topic (议题) of the message's unit, through
    ``consultations.services.topic_create`` (channel: raised by residents, ``source_ref`` naming
    the message), and tell the resident."""
    from consultations.services import topic_create

    reply = _clean_reply(reply)
    message = _locked_open(actor, message)
    before = snapshot(message, ["status", "reply"])
    topic = topic_create(actor=actor, org_unit=message.org_unit, title=(title or "").strip() or message.title,
                         description=(description or "").strip() or message.body, channel="resident",
                         source_ref=f"hall-code:{message.tracking_code}")
    message.topic = topic
    _close(actor, message, CodeMessage.Status.TOPIC, reply)
    audit_log(actor=actor, action="hall.code_message.topic", target=message, before=before,
              after=snapshot(message, ["status", "reply", "topic", "converted_on"]))
    return message


@transaction.atomic
def message_to_opinion(*, actor, message: CodeMessage, title: str, content: str, reply: str) -> CodeMessage:
    """Turn the message into a public-opinion item (社情民意) through the proposals app's own
    service (registered in ``portal.handoffs``); its rules decide who may submit for the unit."""
    reply = _clean_reply(reply)
    message = _locked_open(actor, message)
    before = snapshot(message, ["status", "reply"])
    item = handoff("opinion", actor=actor, title=(title or "").strip() or message.title,
                   content=(content or "").strip() or message.body, unit=message.org_unit,
                   source_ref=f"hall-code:{message.tracking_code}")
    message.opinion_ref = str(item.pk)
    _close(actor, message, CodeMessage.Status.OPINION, reply)
    audit_log(actor=actor, action="hall.code_message.opinion", target=message, before=before,
              after=snapshot(message, ["status", "reply", "opinion_ref", "converted_on"]))
    return message
