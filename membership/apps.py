from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "membership"
    verbose_name = "Membership"

    def ready(self):
        from accounts.signals import user_registered
        from membership.receivers import membership_on_registered

        user_registered.connect(membership_on_registered, dispatch_uid="membership_on_registered")
