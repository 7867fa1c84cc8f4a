def home_panel(request):
    return None
