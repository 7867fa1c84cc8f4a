"""Every write on members and the duty file: one service per change, each atomic, permission-checked,
guarded and audited in the same transaction.

Split by domain — `duty` (the duty file and its verification), `roster` (members and postings),
`scoring` (scoring plans) and `workrooms` (workrooms and their checklist) — and re-exported here, so
`members.services.<name>` and `from members.services import <name>` work as before. (`services.duty`
and `services.scoring` are these modules; the duty-kind register and the score computation are
`members.duty` and `members.scoring`.)"""

from ..workflows import TRANSITIONS as WORKROOM_STEPS  # noqa: F401 - importable from here as before
from ..workflows import WORKROOM  # noqa: F401
from ._common import CLERKS, _require_clerk  # noqa: F401
from .duty import (  # noqa: F401
    AUTOMATIC_GROUPS,
    AUTOMATIC_KINDS,
    CLERK_ONLY_KINDS,
    duty_record_add,
    duty_record_cancel,
    duty_record_review,
    duty_record_submit,
    duty_record_withdraw,
    manual_kinds,
)
from .roster import (  # noqa: F401
    MEMBER_FIELDS,
    POSTABLE_KINDS,
    _check_sector,
    _joined_on,
    member_create,
    member_create_many,
    member_update,
    posting_add,
    posting_end,
)
from .scoring import _check_range, scoring_plan_save  # noqa: F401
from .workrooms import (  # noqa: F401
    WORKROOM_EDITORS,
    WORKROOM_FIELDS,
    checklist_evidence_upload,
    checklist_for,
    checklist_item_add,
    compliance,
    workroom_activity_add,
    workroom_annual_check,
    workroom_create,
    workroom_transition,
    workroom_update,
)
