"""The home-page panel of a member: score so far and what is still owed."""

from django.utils import timezone

from . import scoring, selectors


def my_duties_panel(request):
    member = selectors.member_of_user(request.user)
    if member is None:
        return None
    score = scoring.scores_for([member], timezone.localdate().year)[0]
    return {"template": "members/_home_panel.html", "score": score, "member": member, "order": 15}
