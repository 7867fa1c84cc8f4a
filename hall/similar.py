"""Similar earlier resident submissions (群众出题) for the secretary screening one
(portal.similarity over the hall's records). Only submissions the staff user may screen anyway
(``submission_queue`` scope) are compared; residents never see this."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from portal import similarity

from .models import Submission

SUBMISSIONS = "hall.submission"


def submission_document(s) -> tuple[str, list[str]]:
    return s.title, [s.body, s.location]


similarity.register_corpus(similarity.Corpus(SUBMISSIONS, "hall.Submission", submission_document))


def submission_terms_refresh(submission: Submission) -> bool:
    return similarity.terms_refresh(submission, corpus=SUBMISSIONS, document=submission_document)


@dataclass
class SimilarSubmission:
    pk: int
    title: str
    similarity: float
    status: str
    created_at: object
    url: str
    reply: str
    topic: str


def similar_submissions(*, user, title: str, text: str, exclude_pk=None, limit: int = 5) -> list[SimilarSubmission]:
    """Earlier submissions of the user's screening scope most like this text."""
    from organizations.permissions import scoped

    from .services import STAFF_ROLES

    qs = scoped(Submission.objects.all(), user, roles=STAFF_ROLES)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    matches = similarity.search(qs, corpus=SUBMISSIONS, title=title, text=text, limit=limit)
    if not matches:
        return []
    records = Submission.objects.select_related("topic").in_bulk([m.pk for m in matches])
    return [SimilarSubmission(pk=s.pk, title=s.title, similarity=m.similarity, status=s.get_status_display(),
                              created_at=s.created_at, url=reverse("hall:manage_submission", args=[s.pk]),
                              reply=s.reply[:90], topic=s.topic.title if s.topic_id else "")
            for m in matches if (s := records.get(m.pk)) is not None]
