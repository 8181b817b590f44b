"""The viewer's reader flow in headless Chromium (Debian's /usr/bin/chromium driven by Python playwright; no
browser is ever downloaded): search → open a feature → review its description → open a study → inspect a
sentence's features → review sentences → upload an image → review the upload's report → per-reviewer
counts → export CSV. Screenshots go to --screenshots. Exits non-zero on the first failed check.

Run by tests/serve/test_serve_slow.cpp against a server it started on 127.0.0.1.
"""
import argparse
import csv
import io
import pathlib
import sys
import time

from playwright.sync_api import sync_playwright, expect

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
from headless_chromium import launch  # noqa: E402

# A reviewer name that would run script if the page ever put user text in as HTML.
REVIEWER = '<img src=x onerror="window.pwned=1"> Dr Playwright'


def wait_until(page, expression, what, timeout_s=10.0):
    """Polls `expression` with page.evaluate (DevTools evaluation: the page's CSP forbids the eval() that
    page.wait_for_function relies on, and the test keeps that CSP on)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--upload", required=True)
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    shots = args.screenshots.rstrip("/")

    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
        # Loopback only: anything else the page tries to fetch is a failure (no CDN, works offline).
        outside = []

        def guard(route):
            if route.request.url.startswith(args.url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        problems = []
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)

        # 1. Feature browser: search, results, latency line.
        page.goto(args.url + "/")
        expect(page.locator("#feature-table")).to_be_visible()
        page.fill("#search", "pleural effusion")
        page.press("#search", "Enter")
        expect(page.locator("#result-count")).to_contain_text("16 features match")
        rows = page.locator("#feature-table tbody tr")
        expect(rows).to_have_count(16)
        for text in rows.all_inner_texts():
            assert "pleural effusion" in text.lower(), text
        page.select_option("#sort", "score")
        expect(page.locator("#result-count")).to_contain_text("16 features match")
        latency = page.locator("#result-count").inner_text()
        page.screenshot(path=f"{shots}/01-feature-browser.png", full_page=True)

        # 2. Feature page: description, provenance of the description, histogram, enrichment, highlights.
        rows.first.locator("a").click()
        expect(page.locator("#feature-title")).to_contain_text("Feature #")
        expect(page.locator("#feature-description")).to_contain_text("pleural effusion")
        expect(page.locator(".meta")).to_contain_text("extractive-v1")
        expect(page.locator("#histogram > div")).to_have_count(32)
        expect(page.locator("#enrichment")).to_contain_text("Pleural Effusion")
        expect(page.locator("#examples .example").first).to_be_visible()
        marks = page.locator("#examples mark")
        assert marks.count() >= 1, "no highlighted sentence on the feature page"
        assert "pleural effusion" in marks.first.inner_text().lower()
        wait_until(page, "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)", "example thumbnails")

        # 3. Review the description: the reviewer's name is asked once.
        page.click("#feature-review button[data-verdict=agree]")
        page.click("#submit-feature-review")
        expect(page.locator("#name-dialog")).to_be_visible()
        page.fill("#name-input", REVIEWER)
        page.click("#name-save")
        expect(page.locator("#feature-review .notice")).to_contain_text("Stored 1 review")
        expect(page.locator("#reviewer-name")).to_have_text(REVIEWER)
        page.screenshot(path=f"{shots}/02-feature-page.png", full_page=True)

        # 4. Study page: image, ground truth, generated report; a sentence shows its features and their examples.
        page.locator("#examples .study-link").first.click()
        expect(page.locator("#study-title")).to_contain_text("Study s")
        expect(page.locator("#ground-truth")).to_be_visible()
        wait_until(page, "(() => { const i = document.getElementById('study-image'); return !!i && i.naturalWidth > 0; })()",
                   "the study image")
        report = page.locator(".report").first
        sentences = report.locator(".sentence")
        assert sentences.count() >= 2, "generated report has fewer than two sentences"
        sentences.first.click()
        expect(page.locator("#feature-panel .feature-chip").first).to_be_visible()
        expect(page.locator("#feature-panel .mini-thumbs img").first).to_be_visible()
        expect(report.locator(".importance .bar-row").first).to_be_visible()

        # 5. Sentence reviews (the name is not asked again).
        sentences.nth(0).locator("button[data-verdict=correct]").click()
        sentences.nth(1).locator("button[data-verdict=wrong]").click()
        sentences.nth(1).locator("input.comment").fill("laterality is wrong, \"left\" vs right")
        report.locator(".submit-reviews").click()
        expect(report.locator(".notice")).to_contain_text("Stored 2 reviews")
        assert not page.locator("#name-dialog").is_visible()
        page.screenshot(path=f"{shots}/03-study-page.png", full_page=True)

        # 6. Upload an image → report page with provenance; measure upload-to-report in the browser.
        page.click("nav a[data-nav=upload]")
        expect(page.locator("#drop")).to_be_visible()
        started = time.perf_counter()
        page.set_input_files("#upload-file", args.upload)
        expect(page.locator("#upload-title")).to_be_visible()
        upload_ms = 1000 * (time.perf_counter() - started)
        upload_report = page.locator("#upload-result .report").first
        expect(upload_report.locator(".sentence").first).to_be_visible()
        upload_report.locator(".sentence").first.locator("button[data-verdict=partly]").click()
        upload_report.locator(".submit-reviews").click()
        expect(upload_report.locator(".notice")).to_contain_text("Stored 1 review")
        timing = page.locator("#upload-timing").inner_text()
        page.screenshot(path=f"{shots}/04-upload-report.png", full_page=True)

        # 7. Per-reviewer counts and the CSV export.
        page.click("nav a[data-nav=reviews]")
        table = page.locator("#reviewer-counts")
        expect(table).to_contain_text(REVIEWER)
        row = table.locator("tbody tr", has_text="Dr Playwright")
        expect(row.locator("td").nth(1)).to_have_text("3")  # sentences
        expect(row.locator("td").nth(2)).to_have_text("1")  # features
        page.screenshot(path=f"{shots}/05-reviews.png", full_page=True)
        with page.expect_download() as info:
            page.click("#export-csv")
        data = open(info.value.path(), encoding="utf-8").read()
        mine = [r for r in csv.DictReader(io.StringIO(data)) if r["reviewer"].endswith("Dr Playwright")]
        verdicts = sorted(r["verdict"] for r in mine)
        assert verdicts == ["agree", "correct", "partly", "wrong"], verdicts
        assert any(r["comment"] == "laterality is wrong, \"left\" vs right" for r in mine), mine

        # Nothing user-supplied ran as markup, nothing left the machine, no script errors.
        assert page.evaluate("window.pwned") is None, "reviewer name was interpreted as HTML"
        assert not outside, f"requests outside the server: {outside}"
        assert not problems, problems
        browser.close()

    print(f"[browser] feature list in page: {latency}")
    print(f"[browser] upload-to-report (browser, click to rendered report): {upload_ms:.0f} ms; page says: {timing}")
    print("[browser] flows ok: search, sort, feature page, description review + reviewer name, study page, "
          "sentence → features panel, sentence reviews, upload → report, upload review, reviewer counts, CSV export")
    return 0


if __name__ == "__main__":
    sys.exit(main())
