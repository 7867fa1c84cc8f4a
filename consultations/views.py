def home_panel(request):
    return None


def unit_section(request, unit):
    return None
