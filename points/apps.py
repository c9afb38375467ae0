from django.apps import AppConfig


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = "Points"

    def ready(self):
        from accounts.signals import user_registered
        from points.receivers import signup_bonus

        user_registered.connect(signup_bonus, dispatch_uid="points.signup_bonus")
