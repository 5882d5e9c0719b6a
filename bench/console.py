"""The console's budgets: compressed first-load transfer size and the time from the API's
answer to a rendered scoreboard of every commune.

    .venv/bin/python bench/console.py [--days 3] [--runs 15] [--screenshot docs/console-scoreboard.png]

Starts the local stack with the console server (free ports), loads the demo province (65
communes) and `--days` simulated days, aggregated, then in headless Chromium:
1. first load of the scoreboard in a fresh browser context (empty cache): every response
   from the console's origin (HTML, CSS, JS modules, config.json), raw and gzip-compressed
   (level 6, what CloudFront's automatic compression sends at most; brotli is smaller), and
   the API's JSON separately. Target: < 300 KB compressed.
2. render time, `--runs` reloads: from the moment the ranking's JSON is parsed
   (`kg:ranking-received`) to the table in the DOM (`kg:ranking-rendered`), to style and
   layout done (`kg:ranking-laid-out`, forced) and to the next frame after paint
   (`kg:ranking-painted`: headless Chromium's frame scheduling adds its own wait). Target:
   < 200 ms.
3. `--rows 168 3321`: the same render time with the ranking's answer made `N` rows long
   (the demo's real rows repeated with unique ids and names, answered by Playwright's
   request routing in place of the API): Hồ Chí Minh City's 168 communes and the
   country's 3,321, through the console's own code.
Every file under web/ compressed is printed too (the most any visit can load).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def sign_in(page: Any, console_url: str) -> None:
    page.goto(f"{console_url}/dev/sign-in")
    page.check("input[name=role][value=viewer]")
    page.click("#submit")
    page.wait_for_selector("#nav a")


def first_load(browser: Any, console_url: str, api_url: str) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, console_url)
    # A fresh context for the measured load: nothing cached, the token copied over.
    token = page.evaluate("() => sessionStorage.getItem('kg.token')")
    context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{console_url}/dev/sign-in")
    page.evaluate("t => sessionStorage.setItem('kg.token', t)", token)
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))  # noqa: PLW0108 - Playwright tags its handler: a bound builtin cannot be tagged
    page.goto(f"{console_url}/#/scoreboard?level=commune")
    page.wait_for_selector("table.ranking tbody tr")
    page.wait_for_load_state("networkidle")
    files: list[tuple[str, int, int]] = []
    api_bytes = api_gz = 0
    import requests

    for response in responses:
        if response.request.method == "OPTIONS":
            continue
        path = urllib.parse.urlsplit(response.url).path
        if response.url.startswith(console_url) and not path.startswith("/dev/"):
            # The same bytes again (the browser may have dropped a navigated-away body).
            body = requests.get(response.url, timeout=30).content
            files.append((path, len(body), gz(body)))
        elif response.url.startswith(api_url):
            body = response.body()
            api_bytes += len(body)
            api_gz += gz(body)
    rows = page.locator("table.ranking tbody tr").count()
    context.close()
    return {"files": files, "api_bytes": api_bytes, "api_gz": api_gz, "rows": rows}


def scaled_ranking(answer: dict[str, Any], rows: int) -> dict[str, Any]:
    """The ranking's answer with `rows` items: the real items repeated, each copy with its
    own id and name (the console keys rows by unit id)."""
    items = answer["items"]
    out = []
    for n in range(rows):
        item = dict(items[n % len(items)])
        copy = n // len(items)
        if copy:
            item["unit_id"] = f"{item['unit_id']}-{copy}"
            item["name"] = f"{item['name']} ({copy + 1})"
        out.append(item)
    return {**answer, "items": out}


def render_times(
    browser: Any, console_url: str, runs: int, screenshot: Path | None, rows: int | None = None
) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, console_url)
    if rows is not None:
        import json

        def answer(route: Any) -> None:
            if route.request.method != "GET":  # the CORS preflight goes through
                route.continue_()
                return
            real = route.fetch()
            body = json.dumps(scaled_ranking(real.json(), rows), ensure_ascii=False)
            headers = {k: v for k, v in real.headers.items() if k.lower() != "content-length"}
            route.fulfill(status=real.status, headers=headers, body=body)

        page.route(lambda url: "/campaigns/" in url and "/ranking?" in url, answer)
    dom, layout, painted = [], [], []
    for _ in range(runs):
        page.goto("about:blank")
        page.goto(f"{console_url}/#/scoreboard?level=commune")
        page.wait_for_selector("table.ranking tbody tr")
        page.wait_for_timeout(100)
        marks = page.evaluate(
            "() => Object.fromEntries(performance.getEntriesByType('mark')"
            ".map(m => [m.name, m.startTime]))"
        )
        dom.append(marks["kg:ranking-rendered"] - marks["kg:ranking-received"])
        layout.append(marks["kg:ranking-laid-out"] - marks["kg:ranking-received"])
        painted.append(marks["kg:ranking-painted"] - marks["kg:ranking-received"])
    if screenshot is not None:
        page.set_viewport_size({"width": 1280, "height": 760})
        page.wait_for_timeout(200)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot))
        _shrink(screenshot)
    context.close()
    return dom, layout, painted


def _shrink(path: Path) -> None:
    """A palette PNG: a screenshot of flat colours loses nothing visible and is ~3x smaller."""
    from PIL import Image

    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=64).save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--screenshot", type=Path, default=None)
    parser.add_argument("--rows", type=int, nargs="*", default=[], help="scaled ranking sizes")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from scripts.chromium import launch
    from scripts.demo_run import demo_environment, load_month
    from scripts.local_stack import LocalStack, free_port

    with LocalStack(
        moto_port=free_port(),
        api_port=free_port(),
        console_port=free_port(),
        scheduler=False,
        env=demo_environment(),
        quiet=True,
    ) as stack:
        load_month(stack, args.days)
        with sync_playwright() as playwright:
            browser = launch(playwright)
            load = first_load(browser, stack.console_url, stack.api_url)
            dom, layout, painted = render_times(
                browser, stack.console_url, args.runs, args.screenshot
            )
            scaled = {
                rows: render_times(browser, stack.console_url, args.runs, None, rows)
                for rows in args.rows
            }
            browser.close()

    print(f"\nFirst load of the scoreboard ({load['rows']} communes), console origin:")
    print(f"{'file':<36} {'bytes':>9} {'gzip':>8}")
    for path, raw, packed in load["files"]:
        print(f"{path:<36} {raw:>9} {packed:>8}")
    raw_total = sum(f[1] for f in load["files"])
    gz_total = sum(f[2] for f in load["files"])
    print(
        f"{'total':<36} {raw_total:>9} {gz_total:>8}   ({gz_total / 1024:.1f} KB; target < 300 KB)"
    )
    print(f"API JSON on that load: {load['api_bytes']} bytes, {load['api_gz']} gzip")
    every = [p for p in (ROOT / "web").rglob("*") if p.is_file()]
    all_gz = sum(gz(p.read_bytes()) for p in every)
    print(f"every file under web/ ({len(every)}): {all_gz / 1024:.1f} KB gzip")

    def summary(values: list[float]) -> str:
        ordered = sorted(values)
        return (
            f"median {statistics.median(ordered):.1f} ms, "
            f"p90 {ordered[int(0.9 * (len(ordered) - 1))]:.1f} ms, max {ordered[-1]:.1f} ms"
        )

    print(f"\nAPI answer → scoreboard in the DOM ({args.runs} runs): {summary(dom)}")
    print(f"API answer → laid out (style + layout):     {summary(layout)}   (target < 200 ms)")
    print(f"API answer → next frame after paint:        {summary(painted)}")
    for rows, (dom, layout, painted) in scaled.items():
        print(f"\nA ranking of {rows} rows (the real rows repeated), {args.runs} runs:")
        print(f"  API answer → scoreboard in the DOM: {summary(dom)}")
        print(f"  API answer → laid out:              {summary(layout)}   (target < 200 ms)")
        print(f"  API answer → next frame after paint: {summary(painted)}")


if __name__ == "__main__":
    main()
