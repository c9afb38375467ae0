"""Orders pages."""

app_name = "orders"
urlpatterns = []
