from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from . import selectors


@login_required
def member_list(request):
    q = request.GET.get("q", "").strip()[:50]
    page = Paginator(selectors.member_list(user=request.user, q=q), 30).get_page(request.GET.get("page"))
    return render(request, "members/member_list.html", {"page": page, "q": q})
