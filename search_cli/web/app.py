"""The Starlette application of ``newsdex web``: pages (/, /search, /doc/ID, /entity/TYPE/NAME), the JSON API
(/api/…, exactly the CLI's JSON) and the package's static files. Read-only: GET and HEAD only."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsdex.reading.archive import Archive
from newsdex.search_cli.output import json_line
from newsdex.search_cli.web import data
from newsdex.search_cli.web.data import PAGE_SIZE, SearchState, WebError
from newsdex.search_cli.web.readers import DEFAULT_THREADS, Readers
from newsdex.search_cli.web.render import entity_href, environment

STATIC = Path(__file__).parent / "static"
ENTITY_ORDER = ("PERSON", "ORG", "LOC", "NORP", "DATE", "MISC")
# Only this origin's files; no inline script or style; no frames, plugins, or forms sent elsewhere.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
SIMILAR_ON_PAGE = 5
COPIES_ON_PAGE = 10
SYNTAX_FIELDS = ("title", "body", "source", "person", "org", "loc")


class ReadOnly:
    """GET and HEAD only (anything else 405, before any route runs); security headers on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            response = Response(
                "405 Method Not Allowed: this server only reads (GET)\n",
                status_code=405,
                headers={"Allow": "GET, HEAD"},
                media_type="text/plain",
            )
            await response(scope, receive, self._headed(send))
            return
        await self.app(scope, receive, self._headed(send))

    @staticmethod
    def _headed(send: Send) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *HEADERS]}
            await send(message)

        return wrapped


def _json(obj: Any, status: int = 200) -> Response:
    """The body ``newsdex … --json`` prints, byte for byte."""
    return Response(json_line(obj), status_code=status, media_type="application/json")


class Site:
    """The pages and the API: each endpoint takes the request and the Archive of the reader thread it runs on."""

    def __init__(self, env: Any) -> None:
        self.env = env

    def page(self, request: Request, template: str, code: int = 200, /, **context: Any) -> HTMLResponse:
        context.setdefault("state", SearchState())
        body = self.env.get_template(template).render(request_path=request.url.path, **context)
        return HTMLResponse(body, status_code=code)

    def error_page(self, request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return _json({"error": message, "status": status}, status)
        titles = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 503: "The index is not readable"}
        return self.page(
            request, "error.html", status, title=titles.get(status, "Error"), message=message, status=status
        )

    async def on_web_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, WebError)
        return self.error_page(request, exc.status, exc.message)

    async def on_http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = "no such page" if exc.status_code == 404 else str(exc.detail)
        return self.error_page(request, exc.status_code, message)

    async def on_crash(self, request: Request, exc: Exception) -> Response:
        # Never a traceback: one line naming the kind of failure (the server's stderr has uvicorn's log).
        return self.error_page(request, 500, f"internal error: {type(exc).__name__}")

    def home_or_search(self, request: Request, archive: Archive) -> Response:
        state = SearchState.from_params(request.query_params)
        if state.empty():
            return self.home(request, archive)
        result, hits, pages = data.search_page(state, archive)
        return self.page(
            request,
            "search.html",
            state=state,
            result=result,
            hits=hits,
            pages=pages,
            page_url=lambda n: state.url(page=n),
            first=(state.page - 1) * PAGE_SIZE + 1,
            title=f"{state.q or 'all documents'} – search",
        )

    def home(self, request: Request, archive: Archive) -> Response:
        stats = data.stats(archive)
        top = {t: data.entities(archive, t, 12) for t in ("PERSON", "ORG", "LOC")}
        newest = SearchState(sort="newest").run(archive, 10)
        return self.page(request, "home.html", stats=stats, top=top, newest=newest["hits"], title="newsdex")

    def document(self, request: Request, archive: Archive) -> Response:
        doc = data.show(archive, request.path_params["ref"])
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for ent in sorted(doc["entities"], key=lambda e: (-e["count"], e["name"])):
            if not ent.get("caption_only"):  # who took the pictures is not what the article names
                grouped[ent["type"]].append(ent)
        groups = [(t, grouped.pop(t)) for t in ENTITY_ORDER if t in grouped] + sorted(grouped.items())
        copies: list[dict[str, Any]] = []
        for other in ([doc["copy_of"]] if doc.get("copy_of") else []) + [
            c for c in doc["copies"] if c != doc.get("copy_of")
        ]:
            if len(copies) >= COPIES_ON_PAGE:
                break
            try:
                copies.append(data.show(archive, other))
            except WebError:  # a copy gone since the cluster was read: leave it out
                continue
        try:
            alike = data.similar(archive, doc["id"], SIMILAR_ON_PAGE)["hits"]
        except WebError as exc:
            if exc.status == 503:
                raise
            alike = []
        removed = request.query_params.get("removed") == "1"
        return self.page(
            request,
            "doc.html",
            doc=doc,
            groups=groups,
            copies=copies,
            similar=alike,
            removed=removed,
            title=doc["title"] or "(untitled)",
        )

    def entity(self, request: Request, archive: Archive) -> Response:
        etype = request.path_params["type"].upper()
        name = request.path_params["name"]
        if etype not in data.ENTITY_TYPES:
            raise WebError(404, f"unknown entity type {etype!r} (one of {', '.join(data.ENTITY_TYPES)})")
        if not name.strip() or len(name) > data.MAX_PARAM_CHARS:
            raise WebError(400, "an entity name of 1 to 200 characters is required")
        state = SearchState(
            entity=[f"{etype}:{name}"], sort="newest", page=SearchState.from_params(request.query_params).page
        )
        result, hits, pages = data.search_page(state, archive)
        me = name.casefold()
        related = {
            t: [f for f in result["facets"].get(t, []) if not (t == etype and f["name"].casefold() == me)]
            for t in ("PERSON", "ORG", "LOC")
        }
        here = entity_href(etype, name)
        return self.page(
            request,
            "entity.html",
            etype=etype,
            name=name,
            state=state,
            result=result,
            hits=hits,
            pages=pages,
            page_url=lambda n: f"{here}?page={n}",
            related=related,
            title=f"{name} ({etype})",
        )

    def api_search(self, request: Request, archive: Archive) -> Response:
        params = request.query_params
        state = SearchState.from_params(params)
        if not state.q.strip():
            raise WebError(400, "empty query: give words to search for (q=…), or q=* for every document")
        return _json(state.run(archive, data.api_limit(params), data.api_offset(params)))

    def api_show(self, request: Request, archive: Archive) -> Response:
        doc = data.show(archive, request.path_params["ref"])
        trace = doc.pop("trace", [])
        if request.query_params.get("explain") == "1":
            doc["trace"] = trace
        return _json(doc)

    def api_similar(self, request: Request, archive: Archive) -> Response:
        return _json(
            data.similar(
                archive,
                request.path_params["ref"],
                data.api_limit(request.query_params),
                data.api_kind(request.query_params),
                data.api_languages(request.query_params),
            )
        )

    def api_entities(self, request: Request, archive: Archive) -> Response:
        params = request.query_params
        limit = data._int(params, "limit", 20, 1, data.API_MAX_LIMIT)
        return _json(data.entities(archive, params.get("type") or None, limit, data.api_languages(params)))

    def api_stats(self, request: Request, archive: Archive) -> Response:
        return _json(data.stats(archive))


def worker_app(root: Path, threads: int = DEFAULT_THREADS, allowed_hosts: list[str] | None = None) -> ASGIApp:
    """What each process of ``newsdex web --workers N`` builds (a fresh interpreter: its own edge, where what a
    process resolves once belongs), over the index folder its command line was given: the factory uvicorn calls
    in the worker, bound to ``root``, ``threads`` and ``allowed_hosts`` by ``functools.partial``
    (search_cli/cmd_web.py)."""
    from newsdex.settings import aliases_path
    from newsdex.tasks.enrich.canonical import use_aliases

    use_aliases(aliases_path())  # this worker process's edge: entity filters canonicalize as the CLI does
    return create_app(root, threads, allowed_hosts)


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def create_app(root: Path, threads: int = DEFAULT_THREADS, allowed_hosts: list[str] | None = None) -> ASGIApp:
    """The application over the index folder ``root`` (which may not exist yet: each page says so), its
    requests answered by ``threads`` reader threads, each with its own Archive (search_cli/web/readers.py).
    It answers only requests whose Host header names it (``allowed_hosts``, default the loopback names), as
    Django's ALLOWED_HOSTS: any other Host is 400, so a page that rebinds its own name to 127.0.0.1 reads
    nothing."""
    site = Site(environment())
    readers = Readers(root, threads)

    def threaded(fn: Any) -> Any:
        """An endpoint that runs ``fn(request, archive)`` on a reader thread."""

        async def endpoint(request: Request) -> Response:
            return await readers.run(lambda archive: fn(request, archive))

        return endpoint

    routes = [
        Route("/", threaded(site.home_or_search), methods=["GET"]),
        Route("/search", threaded(site.home_or_search), methods=["GET"]),
        Route("/doc/{ref:path}", threaded(site.document), methods=["GET"]),
        Route("/entity/{type}/{name:path}", threaded(site.entity), methods=["GET"]),
        Route("/api/search", threaded(site.api_search), methods=["GET"]),
        Route("/api/show/{ref:path}", threaded(site.api_show), methods=["GET"]),
        Route("/api/similar/{ref:path}", threaded(site.api_similar), methods=["GET"]),
        Route("/api/entities", threaded(site.api_entities), methods=["GET"]),
        Route("/api/stats", threaded(site.api_stats), methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=str(STATIC)), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={WebError: site.on_web_error, HTTPException: site.on_http_error, Exception: site.on_crash},
    )
    hosts = list(allowed_hosts) if allowed_hosts is not None else list(LOOPBACK_HOSTS)
    checked = TrustedHostMiddleware(app, allowed_hosts=hosts, www_redirect=False)
    return ReadOnly(checked)  # outermost: its headers are on every response, a crash's page included
