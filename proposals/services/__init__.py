"""Every write on proposals and public-opinion items: one service per transition, each atomic,
permission-checked, guarded and audited in the same transaction.

Split by domain — `workflow` (drafting to reply, supervision), `evaluation` (评议) and `opinions`
(社情民意) — and re-exported here, so `proposals.services.<name>` and
`from proposals.services import <name>` work as before."""

from ..workflows import (  # noqa: F401 - importable from here as before
    ASSIGNMENT,
    DEFAULT_REVIEW_STAGES,
    OPINION,
    PROPOSAL,
    SUPERVISABLE,
    review_stages,
)
from ._common import (  # noqa: F401
    _check_choice,
    _clean_suggestions,
    _create_indexed,
    _locked,
    _today,
)
from .evaluation import (  # noqa: F401
    _scores,
    evaluation_close,
    evaluation_ranking,
    evaluation_round_create,
    proposal_score_add,
    rectification_report_submit,
    unit_score_add,
)
from .opinions import (  # noqa: F401
    _cppcc_unit_for,
    _office_item,
    bulletin_compile,
    instruction_add,
    opinion_adopt,
    opinion_from_handoff,
    opinion_reject,
    opinion_report,
    opinion_submit,
)
from .workflow import (  # noqa: F401
    EARLIEST_PAPER_DATE,
    EDIT_FIELDS,
    PUBLICATION_FIELDS,
    _apply_publication,
    _check_publication,
    _check_units,
    _dept_assignment,
    _next_number,
    _set_cosigners,
    _staff_locked,
    assignment_accept,
    assignment_contest,
    attachment_add,
    contact_add,
    cosigner_answer,
    proposal_assign_formally,
    proposal_create,
    proposal_enter_on_behalf,
    proposal_mark_key,
    proposal_merge,
    proposal_preassign,
    proposal_rate,
    proposal_register,
    proposal_reject,
    proposal_review_advance,
    proposal_set_publication,
    proposal_submit,
    proposal_update,
    proposal_withdraw,
    reply_follow_up,
    reply_submit,
    supervision_add,
    validate_upload,
)
