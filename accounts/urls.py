"""Account pages beyond allauth's: profile and address book."""

app_name = "accounts"
urlpatterns = []
