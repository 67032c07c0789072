"""How every tab answer goes out: HTML with the tab's Content-Security-Policy, never cached."""

from __future__ import annotations

from aiohttp import web

# Teams shows the tab in a frame: only Teams' own hosts may frame it; scripts only from here.
_FRAME_ANCESTORS = (
    "teams.microsoft.com *.teams.microsoft.com *.cloud.microsoft *.office.com "
    "*.microsoft365.com *.skype.com"
)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    f"connect-src 'self'; frame-ancestors 'self' {_FRAME_ANCESTORS}; base-uri 'none'; "
    "form-action 'self'"
)


def html(body: str, status: int = 200) -> web.Response:
    response = web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
