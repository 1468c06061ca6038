"""The page where a coach makes and revokes personal API tokens."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.ui.decorators import coach_required

from .models import ApiToken
from .tokens import api_token_create, api_token_revoke


# never_cache: the response that carries a new raw token must not be kept anywhere.
@never_cache
@coach_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    coach = request.coach
    context = {"raw_token": None, "created": None, "name_errors": [], "other_errors": [], "name": ""}
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            token, raw = api_token_create(coach=coach, name=name, by=request.user)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            context.update(name=name, name_errors=errors.pop("name", []),
                           other_errors=[m for messages in errors.values() for m in messages])
        else:
            # Rendered, not redirected: the raw token exists only in this response.
            context.update(raw_token=raw, created=token)
    context["tokens"] = ApiToken.objects.filter(coach=coach).order_by("-created_at")
    status = 422 if context["name_errors"] or context["other_errors"] else 200
    return render(request, "accounts/tokens.html", context, status=status)


@coach_required
@require_POST
def token_revoke(request, uid):
    coach = request.coach
    token = get_object_or_404(ApiToken, coach=coach, uid=uid)
    try:
        api_token_revoke(token=token, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Token “{token.name}” is revoked; it no longer works.")
    return redirect("api_tokens")
