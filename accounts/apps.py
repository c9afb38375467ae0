from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from accounts.lockout import alarm_on_login_failure

        # Connected here, after django-axes (listed earlier in INSTALLED_APPS) connected its
        # own listener: the alarm counts the failure axes has just recorded.
        user_login_failed.connect(alarm_on_login_failure, dispatch_uid="accounts-staff-alarm")
