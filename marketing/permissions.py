"""API permissions shared by marketing's viewsets (discounts, promotions, flash sales)."""

from rest_framework import permissions


class ReadRunningOrMarketingPerm(permissions.DjangoModelPermissions):
    """Anyone reads (what the viewset shows them); writes need the model's add/change/delete permission."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return super().has_permission(request, view)
