"""django-axes hooks: which account a failed login counts against, and the lockout answer."""

from django.http import JsonResponse
from django.shortcuts import render


def username_from_request(request, credentials):
    """Return the email a login attempt names, lower-cased (logins are case-insensitive)."""
    credentials = credentials or {}
    value = (
        credentials.get("login")
        or credentials.get("email")
        or credentials.get("username")
        or request.POST.get("login")
        or request.POST.get("username")
        or request.POST.get("email")
        or ""
    )
    return value.strip().lower()


def lockout_response(request, credentials, *args, **kwargs):
    """Answer a locked account: JSON 429 on the API, a clear page elsewhere."""
    detail = "This account is locked after too many failed logins. Try again later."
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "account_locked", "detail": detail}, status=429)
    return render(request, "account/locked.html", {"detail": detail}, status=429)
