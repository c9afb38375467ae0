"""Points pages."""

app_name = "points"
urlpatterns = []
