"""What each main page costs to load over the network once the first page has been loaded.

The demo world (catalogue and demo) served by ``concord serve`` as in production; headless
Chromium (Debian's) signed in as ``dpo.editor`` opens the home page (its first load fetches
the style sheets and scripts), then every page of the menus and the main working pages,
each once. For each page, the bytes transferred are the document's and every resource's
``transferSize`` from the browser's Resource Timing (headers included, compressed as sent;
0 for what came from the browser's cache). The baseline of the same run is the home page's
first load. Target: every main page ≤ 150 KB after the first load.

Run: ``.venv/bin/python bench/transfer.py``. Results: bench/results/transfer.json.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CONCORD, machine, write_result  # noqa: E402

TARGET_KB = 150.0
PAGES = [
    "/",
    "/search/?q=mali",
    "/countries/MLI/",
    "/labour/?country=MLI",
    "/assignments/grid/?country=MLI",
    "/operations/map/",
    "/operations/timeline/",
]
SIZES_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  return [nav.transferSize, res.reduce((n, r) => n + r.transferSize, 0), res.length];
}"""


def serve(data_dir: str) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "CONCORD_DATA_DIR": data_dir, "CONCORD_DEBUG": "0"}
    env.pop("DATABASE_URL", None)
    for step in (["migrate", "--verbosity", "0"], ["seed", "catalogue"], ["seed", "demo"]):
        subprocess.run([CONCORD, *step], env=env, check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [CONCORD, "serve", "--no-migrate", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(4)
    return proc, port


def main() -> None:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concord.settings")
    data_dir = tempfile.mkdtemp(prefix="concord-transfer-")
    proc, port = serve(data_dir)
    base = f"http://127.0.0.1:{port}"
    try:
        import django

        os.environ["CONCORD_DATA_DIR"] = data_dir  # the demo passwords come from its secret
        os.environ.pop("DATABASE_URL", None)
        django.setup()
        from concord.core.fixtures.demo import demo_password

        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium"),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(f"{base}/login/")
            doc, res, n = page.evaluate(SIZES_JS)
            first = doc + res  # the first load: the style sheets and scripts come with it
            page.fill("#id_username", "dpo.editor")
            page.fill("#id_password", demo_password("dpo.editor"))
            page.click("button[type=submit]")
            page.wait_for_load_state()
            menu = page.eval_on_selector_all(
                "#main-menu a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
            )
            sizes = {}
            # the API's interactive documentation is a developer's tool (3.8 MB of Swagger UI
            # on its first visit), not a page of the application
            for path in dict.fromkeys(p for p in [*PAGES, *menu] if not p.startswith("/api/")):
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                doc, res, n = page.evaluate(SIZES_JS)
                sizes[path] = {
                    "document_kb": round(doc / 1024, 1),
                    "total_kb": round((doc + res) / 1024, 1),
                    "resources": n,
                }
            browser.close()
    finally:
        os.killpg(proc.pid, 15)
        shutil.rmtree(data_dir, ignore_errors=True)
    worst = max(sizes.items(), key=lambda kv: kv[1]["total_kb"])
    result = {
        "machine": machine(),
        "first_load_kb": round(first / 1024, 1),
        "pages": sizes,
        "largest": {"page": worst[0], **worst[1]},
        "over_target": [p for p, v in sizes.items() if v["total_kb"] > TARGET_KB],
        "target_kb": TARGET_KB,
    }
    write_result("transfer", result)
    print(
        f"first load {result['first_load_kb']} KB; after it, {len(sizes)} pages, largest "
        f"{worst[0]} {worst[1]['total_kb']} KB; over {TARGET_KB} KB: {result['over_target']}"
    )
    if result["over_target"]:
        raise SystemExit("pages over the target")


if __name__ == "__main__":
    main()
