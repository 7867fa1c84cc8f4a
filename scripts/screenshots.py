"""Screenshot portal pages at 1280 and 375 px in Debian's chromium (for humans to look at).

Usage: python scripts/screenshots.py BASE_URL USER PASSWORD OUTDIR PATH [PATH …]
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright


def main():
    base, user, password, outdir, *paths = sys.argv[1:]
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for width in (1280, 375):
            page = browser.new_page(viewport={"width": width, "height": 900})
            if user != "-":
                page.goto(base + "/accounts/login/")
                page.fill("#id_username", user)
                page.fill("#id_password", password)
                page.click("button[type=submit]")
            for path in paths:
                page.goto(base + path)
                name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
                page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
