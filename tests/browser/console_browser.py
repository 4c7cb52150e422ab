#!/usr/bin/python3
"""The auditor console in a real browser (issue 21).

Builds the demo's audit log with `reviewer demo`, starts `reviewer audit
serve` on a free loopback port, and drives headless Chromium through
WebDriver (Debian's chromium, chromium-driver and python3-selenium): signs in
with the login form as a person would, opens every page, checks that every
chart drew, that the hostile PR titles show as text and run nothing, that
the browser's console logged no error (a Content-Security-Policy violation
is one), and saves a screenshot of each page under --out.

Exit codes: 0 passed, 1 failed, 77 skipped (no Chromium or ChromeDriver:
ctest reports it as skipped, with the reason on stderr).
"""
import argparse
import io
import json
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request

SCRIPT_TITLE = "<script>alert(1)</script>"
IMG_TITLE = '"><img src=x onerror=alert(1)>'
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def skip(reason):
    # CI installs the browser (scripts/test.sh): there a missing one fails.
    if os.environ.get("REVIEWER_TEST_REQUIRE_BROWSER") == "1":
        print(f"FAILED: {reason} (REVIEWER_TEST_REQUIRE_BROWSER=1)", file=sys.stderr)
        sys.exit(1)
    print(f"SKIPPED: {reason}", file=sys.stderr)
    sys.exit(77)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Checks:
    def __init__(self):
        self.failures = []

    def check(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        if not ok:
            self.failures.append(what)


def start_console(reviewer, work):
    subprocess.run([reviewer, "demo", "--dir", str(work / "demo")], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120)
    token = secrets.token_hex(24)
    hashed = subprocess.run([reviewer, "audit", "token-hash"], input=token, capture_output=True, text=True,
                            check=True).stdout
    (work / "tokens").write_text("# the browser test's auditor\n" + hashed)
    port = free_port()
    log = open(work / "serve.log", "w")
    server = subprocess.Popen([reviewer, "audit", "serve", "--db", str(work / "demo" / "audit.db"), "--tokens",
                               str(work / "tokens"), "--listen", f"127.0.0.1:{port}"], stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/login", timeout=1)
            return server, base, token
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("reviewer audit serve exited: " + (work / "serve.log").read_text())
            time.sleep(0.1)
    raise RuntimeError("reviewer audit serve did not answer within 10 s")


def browser(work):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,1000", f"--user-data-dir={work / 'profile'}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviewer", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        skip(f"{CHROMIUM} or {CHROMEDRIVER} is missing: scripts/install-deps.sh --test installs Debian's chromium "
             "and chromium-driver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        skip("python3-selenium is missing: scripts/install-deps.sh --test installs it")

    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    out = os.path.abspath(args.out)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    c = Checks()
    work = tempfile.mkdtemp(prefix="console-browser-")
    from pathlib import Path
    work = Path(work)
    server = driver = None
    started = time.monotonic()
    try:
        server, base, token = start_console(args.reviewer, work)
        driver = browser(work)
        driver.set_page_load_timeout(30)

        def severe():
            return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]

        def no_alert(where):
            try:
                driver.switch_to.alert
                c.check(False, f"{where}: no alert opened")
            except NoAlertPresentException:
                c.check(True, f"{where}: no alert opened")

        def visit(name, url=None, refused=False):
            """Screenshot, then no SEVERE console entry (but, for a page
            answered 400 on purpose, that answer's own network entry)."""
            if url is not None:
                driver.get(url)
            driver.save_screenshot(os.path.join(out, f"{name}.png"))
            errors = severe()
            if refused:
                errors = [e for e in errors if not (e.get("source") == "network" and "status of 400" in e["message"])]
            c.check(not errors, f"{name}: no error in the browser console" + (f": {errors}" if errors else ""))
            no_alert(name)

        def submit(selector):
            """Clicks a form's button and waits (10 s at most) for the page it
            loads: click() may return before the old page is gone."""
            from selenium.common.exceptions import WebDriverException
            from selenium.webdriver.support.ui import WebDriverWait
            old_page = driver.find_element(By.TAG_NAME, "html")
            driver.find_element(By.CSS_SELECTOR, selector).click()

            # Gone: Chromium answers a detached node with "Node with given id
            # does not belong to the document" rather than a stale-element
            # error, which expected_conditions.staleness_of lets through.
            def gone(_):
                try:
                    old_page.is_enabled()
                    return False
                except WebDriverException:
                    return True

            WebDriverWait(driver, 10).until(gone)
            WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")

        # Sign in as a person would: the form, not a header.
        driver.get(base + "/")
        c.check("Sign in" in driver.title, "/ without a session asks to sign in")
        severe()  # the 401 itself is logged; what follows must be clean
        driver.get(base + "/login")
        driver.find_element(By.NAME, "token").send_keys(token)
        submit("form.login button")
        landed = driver.current_url
        c.check(landed.rstrip("/") == base, f"the login lands on the overview without the token in the address ({landed})")
        c.check(token not in driver.current_url, "the token is not in the address")
        cookies = {k["name"]: k for k in driver.get_cookies()}
        session = cookies.get("reviewer_console", {})
        c.check(bool(session) and session.get("httpOnly") and token not in session.get("value", ""),
                "the session cookie is HttpOnly and does not hold the token")
        visit("overview")

        # Every chart drew: Chart.js holds data for it, and its canvas
        # differs from a blank one of the same size.
        charts = driver.execute_script("""
            return Array.from(document.querySelectorAll('canvas[data-chart]')).map(function (c) {
              var chart = Chart.getChart(c);
              var blank = document.createElement('canvas');
              blank.width = c.width; blank.height = c.height;
              var points = chart ? chart.data.datasets.reduce(function (n, d) {
                return n + d.data.filter(function (v) { return v !== null && v !== 0; }).length; }, 0) : 0;
              return {id: c.id, drawn: !!chart, points: points, pixels: c.toDataURL() !== blank.toDataURL(),
                      width: c.width, height: c.height};
            });""")
        c.check(len(charts) == 7, f"the overview has its 7 charts ({[x['id'] for x in charts]})")
        for chart in charts:
            c.check(chart["drawn"] and chart["points"] > 0 and chart["pixels"] and chart["width"] > 0,
                    f"chart {chart['id']} drew ({chart})")

        visit("changes", base + "/changes")
        rows = driver.find_elements(By.CSS_SELECTOR, "table.changes tr")
        c.check(len(rows) > 10, f"the changes page lists changes ({len(rows) - 1})")
        visit("changes-filtered", base + "/changes?approver=person&reverted=yes")
        visit("changes-page-2", base + "/changes?page=2")

        # The hostile titles: find them through the SQL page, open their pages.
        for title, name in [(SCRIPT_TITLE, "script"), (IMG_TITLE, "img")]:
            driver.get(base + "/sql")
            box = driver.find_element(By.NAME, "q")
            box.clear()
            box.send_keys("SELECT repository, pr_number, title FROM pull_requests WHERE title = '"
                          + title.replace("'", "''") + "' LIMIT 1")
            submit("form.sql button")
            visit(f"sql-{name}")
            cells = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "table.results td")]
            c.check(title in cells, f"the SQL page shows the {name} title as text")
            if title not in cells:
                continue
            repo, pr = cells[0], cells[1]
            visit(f"change-{name}", f"{base}/change?repo={urllib.parse.quote(repo)}&pr={pr}")
            main_text = driver.find_element(By.TAG_NAME, "main").text
            c.check(title in main_text, f"the change page shows the {name} title as text")
            c.check(not driver.find_elements(By.CSS_SELECTOR, "main img, main script"),
                    f"the {name} title made no element")
            c.check("verify against the hash chain" in main_text, f"the {name} change's rows verify")

        # The audit sample: draw without a seed (one is chosen and shown),
        # draw again with it, and fetch its evidence pack.
        driver.get(base + "/sample")
        size = driver.find_element(By.NAME, "n")
        size.clear()
        size.send_keys("5")
        submit("form.filter button")
        visit("sample")
        seed = driver.find_element(By.CSS_SELECTOR, "strong.seed").text
        first = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "ol.drawn a")]
        c.check(len(first) == 5 and seed.isdigit(), f"a sample of 5 was drawn with seed {seed}")
        driver.get(f"{base}/sample?n=5&seed={seed}")
        again = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "ol.drawn a")]
        c.check(again == first, "the same seed draws the same sample")
        pack_url = driver.find_element(By.PARTIAL_LINK_TEXT, "evidence pack").get_attribute("href")
        request = urllib.request.Request(pack_url, headers={"Cookie": f"reviewer_console={session.get('value')}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            pack = tarfile.open(fileobj=io.BytesIO(answer.read()))
        manifest = json.load(pack.extractfile("manifest.json"))
        hashes_ok = all(hashlib.sha256(pack.extractfile(f["path"]).read()).hexdigest() == f["sha256"]
                        for f in manifest["files"])
        c.check(manifest["seed"] == seed and len(manifest["sample"]) == 5 and hashes_ok,
                "the evidence pack's manifest records the seed and every file's SHA-256")
        driver.get(first[0])
        visit("sample-change")

        visit("sql-refused", base + "/sql?q=" + urllib.parse.quote("DELETE FROM findings"), refused=True)
        c.check("Refused" in driver.find_element(By.TAG_NAME, "main").text, "the SQL page shows a refused statement")
        visit("sql-view", base + "/sql?q=" + urllib.parse.quote("SELECT * FROM v_change_evidence LIMIT 20"))
        c.check(len(driver.find_elements(By.CSS_SELECTOR, "table.results tr")) == 21, "a documented view as a table")
    finally:
        if driver:
            driver.quit()
        if server:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(c.failures)} failed; screenshots in {out}; {time.monotonic() - started:.1f} s")
    return 1 if c.failures else 0


if __name__ == "__main__":
    import urllib.parse  # noqa: E402
    sys.exit(main())
