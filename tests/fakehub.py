"""A Hugging Face Hub on 127.0.0.1 speaking the HTTP protocol huggingface_hub uses.

Serves ``/api/models/{id}[/revision/{rev}]`` (with ``expand`` filtering, as the real Hub
does), the paged listing ``/api/models`` (filters, ``sort``, ``limit``, ``expand``; each page
links the next with a ``Link: <...&cursor=...>; rel="next"`` header, as the real Hub does),
and ``HEAD``/``GET /{id}/resolve/{rev}/{file}`` with ``ETag``, ``X-Repo-Commit`` and
``Content-Length``. Errors carry the real ``X-Error-Code`` headers. Behaviours per repo
("gated", "429x2", "500", "slow", "badjson") exercise the client's failure paths, and per
file ("halfstall": half the body, then silence; "401": a plain 401 without an error code;
"othercommit": an X-Repo-Commit of another commit; "othersha": model info of another commit;
"huge": a 200 MB Content-Length; "hugechunked": an endless chunked body) its defences.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlparse


@dataclass
class Repo:
    files: dict[str, bytes]
    sha: str
    info: dict = field(default_factory=dict)
    behaviour: str = ""
    calls: int = 0
    history: dict[str, dict[str, bytes]] = field(default_factory=dict)

    def files_at(self, revision: str) -> dict[str, bytes] | None:
        if revision in ("main", self.sha):
            return self.files
        return self.history.get(revision)


class FakeHub:
    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.requests: list[str] = []
        self.auth_headers: list[str | None] = []
        self.slow_seconds = 3.0
        # the listing: models per page (the real Hub pages by 1000, or by ``limit``), and
        # the query of every listing request, as the server parsed it
        self.page_size = 1000
        self.listings: list[dict[str, list[str]]] = []
        # "halfstall": how long the server stays silent after half a file; "huge*": bytes sent
        self.stall_seconds = 30.0
        self.bytes_sent = 0

    def add(
        self,
        repo_id: str,
        files: dict[str, bytes],
        *,
        sha: str | None = None,
        info: dict | None = None,
        behaviour: str = "",
    ) -> Repo:
        sha = sha or hashlib.sha1(repo_id.encode() + b"".join(files.values())).hexdigest()
        repo = Repo(files, sha, info or {}, behaviour)
        self.repos[repo_id] = repo
        return repo

    def move(self, repo_id: str, files: dict[str, bytes]) -> str:
        """A new commit on main; the old one stays reachable by its sha, as on the Hub."""
        repo = self.repos[repo_id]
        repo.history[repo.sha] = repo.files
        repo.files = {**repo.files, **files}
        repo.sha = hashlib.sha1(repo.sha.encode() + b"".join(files.values())).hexdigest()
        return repo.sha

    def add_from_dir(self, repo_id: str, directory: Path, **kw) -> Repo:
        files = {"config.json": (directory / "config.json").read_bytes()}
        return self.add(repo_id, files, **kw)

    # ------------------------------------------------------------------ server
    def __enter__(self) -> FakeHub:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_HEAD(self) -> None:
                hub._handle(self, head=True)

            def do_GET(self) -> None:
                hub._handle(self, head=False)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ----------------------------------------------------------------- protocol
    def _send(
        self,
        h,
        status: int,
        body: bytes = b"",
        headers: dict | None = None,
        head: bool = False,
        content_type: str = "application/json; charset=utf-8",
    ) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("X-Request-Id", "fake-" + str(len(self.requests)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        if not head:
            h.wfile.write(body)

    def _error(self, h, status: int, code: str | None, message: str, head: bool) -> None:
        headers = {"X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        self._send(h, status, json.dumps({"error": message}).encode(), headers, head)

    def _misbehave(self, h, repo: Repo, head: bool) -> bool:
        """Apply the repo's behaviour; True when a response was already sent."""
        b = repo.behaviour
        repo.calls += 1
        if b == "gated":
            self._error(h, 401, "GatedRepo", "Access to model is restricted.", head)
            return True
        if b.startswith("429x") and repo.calls <= int(b[4:]):
            self._send(
                h,
                429,
                b'{"error":"rate limited"}',
                {
                    "Retry-After": "1",
                    "RateLimit": '"api";r=0;t=1',
                    "RateLimit-Policy": '"fixed window";"api";q=500;w=300',
                },
                head,
            )
            return True
        if b == "500":
            self._error(h, 500, None, "Internal Error", head)
            return True
        if b == "slow":
            time.sleep(self.slow_seconds)
        return False

    def _handle(self, h, head: bool) -> None:
        parsed = urlparse(h.path)
        path = unquote(parsed.path)
        self.requests.append(f"{h.command} {path}")
        if path == "/api/models":
            self._list(h, parse_qs(parsed.query), head)
        elif path.startswith("/api/models/"):
            self._api(h, path[len("/api/models/") :], parse_qs(parsed.query), head)
        elif "/resolve/" in path:
            repo_id, rest = path.lstrip("/").split("/resolve/", 1)
            revision, filename = rest.split("/", 1)
            self._resolve(h, repo_id, revision, filename, head)
        else:
            self._error(h, 404, None, "Not Found", head)

    def _api(self, h, tail: str, query: dict, head: bool) -> None:
        revision = None
        if "/revision/" in tail:
            tail, revision = tail.split("/revision/", 1)
        repo = self.repos.get(tail)
        if repo is None:
            self._error(h, 404, "RepoNotFound", "Repository not found", head)
            return
        if self._misbehave(h, repo, head):
            return
        if revision is not None and repo.files_at(revision) is None:
            self._error(h, 404, "RevisionNotFound", "Invalid rev id", head)
            return
        sha = repo.sha if revision in (None, "main") else revision
        if repo.behaviour == "othersha":
            sha = "f" * 40
        if repo.behaviour == "badjson":
            self._send(h, 200, b'{"id": "' + tail.encode() + b'", "sha": ', head=head)
            return
        body = _expanded(self._body(tail, repo, sha), query)
        self._send(h, 200, json.dumps(body).encode(), head=head)

    @staticmethod
    def _body(repo_id: str, repo: Repo, sha: str) -> dict:
        return {
            "_id": "0" * 24,
            "id": repo_id,
            "modelId": repo_id,
            "sha": sha,
            "author": repo_id.split("/")[0],
            "private": False,
            "gated": False,
            "disabled": False,
            "lastModified": "2024-07-18T10:00:00.000Z",
            "createdAt": "2024-01-02T10:00:00.000Z",
            "downloads": 1234,
            "likes": 56,
            "trendingScore": 0,
            "library_name": "transformers",
            "pipeline_tag": "text-generation",
            "tags": ["transformers", "safetensors"],
            "siblings": [{"rfilename": name} for name in sorted(repo.files)],
            **repo.info,
        }

    def _list(self, h, query: dict, head: bool) -> None:
        """``GET /api/models``: filter, sort (descending), page by ``cursor`` with a Link."""
        self.listings.append(query)
        one = {k: v[-1] for k, v in query.items()}
        bodies = [self._body(rid, repo, repo.sha) for rid, repo in self.repos.items()]
        sort = one.get("sort")
        if sort is not None and sort not in _SORTS:
            self._error(h, 400, None, f"Invalid sort parameter: {sort}", head)
            return
        try:
            picked = [b for b in bodies if _matches(b, query, one)]
        except ValueError as exc:
            self._error(h, 400, None, str(exc), head)
            return
        if sort:
            picked.sort(key=lambda b: b.get(sort) or 0, reverse=True)  # stable
        offset = 0
        if "cursor" in one:
            offset = json.loads(base64.urlsafe_b64decode(one["cursor"]))["offset"]
        size = self.page_size
        if "limit" in one:
            size = min(size, int(one["limit"]))
        page = picked[offset : offset + size]
        headers = {}
        if offset + size < len(picked):
            cursor = base64.urlsafe_b64encode(json.dumps({"offset": offset + size}).encode())
            pairs = [(k, v) for k, vs in query.items() if k != "cursor" for v in vs]
            pairs.append(("cursor", cursor.decode()))
            headers["Link"] = f'<{self.url}/api/models?{urlencode(pairs)}>; rel="next"'
        if "expand" in query or "expand[]" in query:
            page = [_expanded(b, query) for b in page]
        else:  # what the real Hub lists without expand
            keep = {"_id", "id", "modelId", "likes", "trendingScore", "private", "downloads"}
            keep |= {"tags", "pipeline_tag", "library_name", "createdAt"}
            page = [{k: v for k, v in b.items() if k in keep} for b in page]
        self._send(h, 200, json.dumps(page).encode(), headers, head)

    def _resolve(self, h, repo_id: str, revision: str, filename: str, head: bool) -> None:
        repo = self.repos.get(repo_id)
        if repo is None:
            self._error(h, 404, "RepoNotFound", "Repository not found", head)
            return
        if repo.behaviour in ("gated", "500", "slow") and self._misbehave(h, repo, head):
            return
        files = repo.files_at(revision)
        if files is None:
            self._error(h, 404, "RevisionNotFound", "Invalid rev id", head)
            return
        if filename not in files:
            self._error(h, 404, "EntryNotFound", f"{filename} does not exist", head)
            return
        data = files[filename]
        etag = hashlib.sha1(data).hexdigest()
        commit = repo.sha if revision == "main" else revision
        self.auth_headers.append(h.headers.get("Authorization"))
        if filename == "config.json" and self._defend(h, repo, data, commit, head):
            return
        self._send(
            h,
            200,
            data,
            {"ETag": f'"{etag}"', "X-Repo-Commit": commit, "Accept-Ranges": "bytes"},
            head,
            content_type="text/plain; charset=utf-8",
        )

    def _defend(self, h, repo: Repo, data: bytes, commit: str, head: bool) -> bool:
        """The per-file behaviours a client must defend against; True when answered."""
        b = repo.behaviour
        if b == "401":
            self._send(h, 401, b'{"error":"Unauthorized"}', head=head)
        elif b == "othercommit":
            headers = {"X-Repo-Commit": "e" * 40, "ETag": '"x"'}
            self._send(h, 200, data, headers, head, content_type="text/plain; charset=utf-8")
        elif b == "halfstall" and not head:  # HEAD answers as usual
            h.send_response(200)
            h.send_header("Content-Length", str(len(data)))
            h.send_header("ETag", f'"{hashlib.sha1(data).hexdigest()}"')
            h.send_header("X-Repo-Commit", commit)
            h.end_headers()
            h.wfile.write(data[: len(data) // 2])
            h.wfile.flush()
            time.sleep(self.stall_seconds)
            h.close_connection = True
        elif b in ("huge", "hugechunked"):
            h.send_response(200)
            if b == "huge":
                h.send_header("Content-Length", str(200_000_000))
            else:
                h.send_header("Transfer-Encoding", "chunked")
            h.send_header("X-Repo-Commit", commit)
            h.end_headers()
            chunk = b" " * 65536
            try:
                while not head and self.bytes_sent < 200_000_000:
                    if b == "huge":
                        h.wfile.write(chunk)
                    else:
                        h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.bytes_sent += len(chunk)
            except OSError:  # the client hung up, as it should
                pass
            h.close_connection = True
        else:
            return False
        return True


_SORTS = {"downloads", "likes", "lastModified", "createdAt", "trendingScore"}
_UNITS = {"": 1, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


def _expanded(body: dict, query: dict) -> dict:
    expand = query.get("expand", []) + query.get("expand[]", [])
    if not expand:
        return body
    return {k: v for k, v in body.items() if k in expand or k in ("_id", "id")}


def _count(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMBT]?)", text.strip())
    if not match:
        raise ValueError(f"Invalid num_parameters: {text}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _matches(body: dict, query: dict, one: dict) -> bool:
    """The Hub's listing filters: every ``filter`` is a tag (library and task included)."""
    tags = set(body.get("tags") or []) | {body.get("library_name"), body.get("pipeline_tag")}
    if any(f not in tags for f in query.get("filter", [])):
        return False
    if "author" in one and body["id"].split("/")[0] != one["author"]:
        return False
    if "pipeline_tag" in one and body.get("pipeline_tag") != one["pipeline_tag"]:
        return False
    if "search" in one and one["search"].lower() not in body["id"].lower():
        return False
    if "gated" in one and bool(body.get("gated")) != (one["gated"].lower() == "true"):
        return False
    if "num_parameters" in one:
        total = (body.get("safetensors") or {}).get("total")
        for bound in one["num_parameters"].split(","):
            kind, _, value = bound.partition(":")
            if kind not in ("min", "max"):
                raise ValueError(f"Invalid num_parameters: {one['num_parameters']}")
            limit = _count(value)
            if total is None or (total < limit if kind == "min" else total > limit):
                return False
    return True
