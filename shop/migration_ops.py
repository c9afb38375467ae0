"""Helpers for the apps' data migrations: duty-group permissions.

A migration keeps its data (group names, codenames) as frozen constants of its own; only
the mechanics live here, so a later edit of an app's code cannot change what an old
migration meant.
"""

from collections.abc import Iterable, Mapping

from django.contrib.auth.management import create_permissions


def _permissions(apps, app_label: str, codenames: Iterable[str] | None):
    Permission = apps.get_model("auth", "Permission")
    found = Permission.objects.filter(content_type__app_label=app_label)
    return found if codenames is None else found.filter(codename__in=list(codenames))


def grant_group_permissions(apps, *, app_label: str,
                            grants: Mapping[str, Iterable[str] | None]) -> None:
    """Give each group (created if missing) its codenames of `app_label`; None means all."""
    # Permissions are normally created after `migrate` finishes; create them now so the
    # groups can be given them in a fresh database too.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, codenames in grants.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, app_label, codenames))


def revoke_group_permissions(apps, *, app_label: str,
                             grants: Mapping[str, Iterable[str] | None]) -> None:
    """Undo grant_group_permissions (the groups stay)."""
    Group = apps.get_model("auth", "Group")
    for name, codenames in grants.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*_permissions(apps, app_label, codenames))
