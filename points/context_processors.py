"""Header data for every page (filled in by the points issue)."""


def header(request):
    return {}
