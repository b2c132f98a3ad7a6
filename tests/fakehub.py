"""A Hugging Face Hub on 127.0.0.1 speaking the HTTP protocol huggingface_hub uses.

Serves ``/api/models/{id}[/revision/{rev}]`` (with ``expand`` filtering, as the real Hub
does), and ``HEAD``/``GET /{id}/resolve/{rev}/{file}`` with ``ETag``, ``X-Repo-Commit`` and
``Content-Length``. Errors carry the real ``X-Error-Code`` headers. Behaviours per repo
("gated", "429x2", "500", "slow", "badjson") exercise the client's failure paths.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


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
        if path.startswith("/api/models/"):
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
        if repo.behaviour == "badjson":
            self._send(h, 200, b'{"id": "' + tail.encode() + b'", "sha": ', head=head)
            return
        body = {
            "_id": "0" * 24,
            "id": tail,
            "modelId": tail,
            "sha": sha,
            "author": tail.split("/")[0],
            "private": False,
            "gated": False,
            "disabled": False,
            "lastModified": "2024-07-18T10:00:00.000Z",
            "downloads": 1234,
            "likes": 56,
            "library_name": "transformers",
            "pipeline_tag": "text-generation",
            "tags": ["transformers", "safetensors"],
            **repo.info,
        }
        expand = query.get("expand", []) + query.get("expand[]", [])
        if expand:
            body = {k: v for k, v in body.items() if k in expand or k in ("_id", "id")}
        self._send(h, 200, json.dumps(body).encode(), head=head)

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
        self._send(
            h,
            200,
            data,
            {"ETag": f'"{etag}"', "X-Repo-Commit": commit, "Accept-Ranges": "bytes"},
            head,
            content_type="text/plain; charset=utf-8",
        )
