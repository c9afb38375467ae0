"""Header data for every page (filled in by the membership issue)."""


def header(request):
    return {}
