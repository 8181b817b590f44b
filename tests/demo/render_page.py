"""Renders demo/index.html from disk in headless Chromium (Debian's /usr/bin/chromium driven by Python
playwright; no browser is ever downloaded) and checks what a person sees: the main sections are visible,
the images loaded, no console errors, and no request leaves the demo folder. Writes a full-page screenshot.

Run by tests/demo/test_demo_slow.cpp. Exits non-zero with the list of problems.
"""
import argparse
import pathlib
import sys

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from headless_chromium import launch  # noqa: E402

SECTIONS = ["cohort", "concepts", "metrics", "features", "studies", "training", "timings"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--page", required=True)
    parser.add_argument("--screenshot", required=True)
    args = parser.parse_args()
    page_path = pathlib.Path(args.page).resolve()
    root = page_path.parent.as_uri()
    problems = []
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1360, "height": 900})

        def guard(route):
            if route.request.url.startswith(root + "/"):
                route.continue_()
            else:
                problems.append(f"request outside demo/: {route.request.url}")
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("requestfailed", lambda r: problems.append(f"failed to load {r.url}"))
        page.goto(page_path.as_uri())
        page.wait_for_load_state("load")
        for section in SECTIONS:
            if not page.locator(f"section#{section}").is_visible():
                problems.append(f"section #{section} not visible")
        if "SAE-Rad demo" not in page.locator("h1").inner_text():
            problems.append("title missing")
        broken = page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
        problems += [f"image did not load: {src}" for src in broken]
        n_images = page.evaluate("document.images.length")
        if n_images < 20:
            problems.append(f"only {n_images} images on the page")
        rows = page.locator("section#concepts tr").count()
        if rows < 13:
            problems.append(f"concept table has {rows} rows")
        pathlib.Path(args.screenshot).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=args.screenshot, full_page=True)
        browser.close()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
