"""Header data for every page (filled in by the orders issue)."""


def header(request):
    return {}
