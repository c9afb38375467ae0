"""Marketing pages."""

app_name = "marketing"
urlpatterns = []
