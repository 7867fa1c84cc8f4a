"""Demo: fill the summary tables once, so the dashboards show their "as of" time at once."""


def load(*, stdout):
    from .services import facts_refresh

    stdout.write(f"reports: {facts_refresh()} summary rows refreshed")
