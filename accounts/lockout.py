"""django-axes hooks: which account a failed login counts against, and the lockout answer.

Three doors lead to a password check, each naming the account differently: allauth's login
page (`email` credential, `login` form field), the admin login (`username`) and the token
endpoint (`username`, from a JSON body). All count against the same lower-cased email.

Lockout is per account and client address (AXES_LOCKOUT_PARAMETERS): failures from one
address lock that address out of the account, while the owner elsewhere still logs in.
Failures on a staff account are also counted across addresses, and reaching the limit
there raises an alarm (`staff_login_failures_alarm`) rather than a lockout.
"""

from django.http import JsonResponse
from django.shortcuts import render

from accounts.errors import AccountLocked
from accounts.services import staff_login_failures_alarm


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


def lockout_response(request, original_response=None, credentials=None):
    """Answer a locked account with 429: `{"code", "detail"}` on the API, a page elsewhere."""
    locked = AccountLocked()
    if request.path.startswith("/api/"):
        return JsonResponse(locked.as_dict(), status=locked.status)
    return render(request, "account/locked.html", {"detail": locked.detail}, status=locked.status)


def alarm_on_login_failure(sender, credentials=None, request=None, **kwargs):
    """Listen to `user_login_failed`, after django-axes has recorded the failure."""
    if request is None:
        return
    email = username_from_request(request, credentials)
    if email:
        staff_login_failures_alarm(email=email)
