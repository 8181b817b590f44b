"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by Python playwright (a browser is
never downloaded), sandbox off for containers, and background networking, component updates and sync switched
off so the browser itself makes no requests. Import with tests/support on sys.path."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps", "--no-first-run", "--disable-gpu"]


def launch(playwright):
    """A headless browser from a sync_playwright() handle."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
