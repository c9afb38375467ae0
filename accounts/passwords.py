"""What follows a password change: every API token of the user is revoked."""

from accounts.services import user_tokens_revoke


class RevokeTokensOnPasswordChange:
    """Revoke the user's API tokens whenever their password changes; validate nothing.

    Listed in AUTH_PASSWORD_VALIDATORS for Django's `password_changed` notification, which
    `User.save()` sends after every `set_password()`: allauth's change, set and reset pages,
    the admin's two password forms, `manage.py changepassword` and any later API. A hook on
    each of those doors could be forgotten on the next one; this one cannot. (A hash upgrade
    at login is not a change and sends no notification.)
    """

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is not None and user.pk is not None:
            user_tokens_revoke(user=user)

    def get_help_text(self):
        # Shown with the other rules under password fields: worth knowing before a change.
        return "A new password signs out every app that uses your API token."
