"""Serving a built site on loopback and driving Debian's Chromium through Playwright."""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
REQUIRED = os.environ.get("REPORT_ARCHIVE_REQUIRE_BROWSER") == "1"


class _QuietHandler(SimpleHTTPRequestHandler):
    """A static server like GitHub Pages: a missing path gets the site's 404.html."""

    not_found_page: Path | None = None

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def end_headers(self) -> None:
        # LinkChecker lifts its politeness delay for servers that send this header.
        self.send_header("LinkChecker", "local test server")
        super().end_headers()

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        page = self.not_found_page
        if code != 404 or page is None or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def serve(root: Path, prefix: str = "") -> Iterator[str]:
    """Serve `root` at http://127.0.0.1:<port>/<prefix>; stop the server afterwards."""
    serve_dir = root
    if prefix:
        serve_dir = root.parent / f"{root.name}-served"
        if serve_dir.exists():
            shutil.rmtree(serve_dir)
        (serve_dir / prefix).parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(root, serve_dir / prefix)
    handler_class = type("Handler", (_QuietHandler,), {"not_found_page": root / "404.html"})
    handler = functools.partial(handler_class, directory=str(serve_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{prefix + '/' if prefix else ''}"
    finally:
        server.shutdown()
        server.server_close()


def link_check(url: str) -> tuple[int, str]:
    """Crawl a served site with LinkChecker; (number of errors, its report)."""
    import subprocess
    import sys
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".ini", delete=False) as config:
        # With the server's LinkChecker header, this rate applies to our own server only.
        config.write("[checking]\nmaxrequestspersecond=1000\n")
    command = [sys.executable, "-m", "linkcheck", "--config", config.name, "--no-status",
               "--no-warnings", "--no-robots", "--threads", "8", url]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                                check=False)
    finally:
        os.unlink(config.name)
    found = re.findall(r"(\d+) errors? found", result.stdout)
    assert found, result.stdout + result.stderr
    return int(found[-1]), result.stdout


def launch_browser() -> Any:
    """A Playwright Chromium; skips (or fails, when required) if it is not installed."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if REQUIRED:
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed")
    if not Path(CHROMIUM).exists():
        if REQUIRED:
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing")
    manager = sync_playwright().start()
    browser = manager.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run"],
    )
    return manager, browser


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def refuse_other_origins(page: Any, url: str, foreign: list[str]) -> None:
    """Abort, and note in `foreign`, every request of `page` to another origin than `url`'s.

    There is no network here, and a page of the site must not load anything from
    elsewhere: a request that waited on one would only time out.
    """
    from urllib.parse import urlsplit

    own = urlsplit(url).netloc

    def route(request_route: Any) -> None:
        if urlsplit(request_route.request.url).netloc != own:
            foreign.append(request_route.request.url)
            request_route.abort()
        else:
            request_route.continue_()

    page.route("**/*", route)
