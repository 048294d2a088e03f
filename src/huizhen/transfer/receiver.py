"""The receiving end: sessions, a content-addressed chunk store, verified atomic commits, and its HTTP face.

:class:`ReceiverCore` is framework-free so that the CLI's stdlib server and the Django
node share it. A session is opened with a signed manifest and is named by the SHA-256
of the manifest's canonical JSON, so re-opening the same manifest (a resumed or repeated
send) finds the same session and the receiver answers with what is still missing: that
is the whole of resume. Chunks live under ``DIR/.huizhen-transfer/chunks/`` named by
their SHA-256; a chunk is written to a temporary name, its hash checked, then renamed, so
a chunk in the store is always whole and correct, and a chunk held for any earlier
transfer is never asked for again (deduplication). :meth:`ReceiverCore.commit` assembles
every file to a temporary name in one pass (each chunk's bytes are copied, hashed into
the file's SHA-256 and written together; one fsync per file), checks that SHA-256, and only
when all files passed renames them into ``DIR/<path>`` and syncs the directories once.
Everything is on disk, so a receiver killed and started again carries on. :func:`serve`
puts the core behind HTTP/1.1 with a bearer token: ``POST /v1/sessions``, ``PUT /v1/sessions/<id>/chunks/<sha256>``,
``GET /v1/sessions/<id>``, ``POST /v1/sessions/<id>/commit``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import os
import threading
import uuid
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import zstandard

from huizhen.transfer.errors import (
    EncodingError,
    IncompleteError,
    LimitError,
    ManifestError,
    SessionError,
    StorageError,
    TransferError,
)
from huizhen.transfer.manifest import STATE_DIR_NAME, Manifest, is_sha256_hex, verify_manifest

MAX_MANIFEST_BYTES = 32 * 1024 * 1024
_COPY_BLOCK = 1024 * 1024
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


@dataclass(frozen=True)
class SessionStatus:
    """Where a session stands. Byte counts are over its distinct chunks (what must travel)."""

    session_id: str
    missing: list[str]
    received_bytes: int
    total_bytes: int
    chunks_resent: int = 0
    committed: bool = False
    files: list[str] = field(default_factory=list)


@dataclass
class _Session:
    manifest: Manifest
    chunks: dict[str, int]
    attempts: dict[str, int]
    committed: bool


class ReceiverCore:
    """Receiver logic over a directory; thread-safe; all state on disk under ``DIR/.huizhen-transfer``."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        max_total_bytes: int | None = None,
        max_file_bytes: int | None = None,
        key: bytes,
    ) -> None:
        self.directory = Path(directory).resolve()
        self.max_total_bytes = max_total_bytes
        self.max_file_bytes = max_file_bytes
        self._key = key
        self._state = self.directory / STATE_DIR_NAME
        self._chunks = self._state / "chunks"
        self._sessions_dir = self._state / "sessions"
        self._tmp = self._state / "tmp"
        for path in (self._chunks, self._sessions_dir, self._tmp):
            path.mkdir(parents=True, exist_ok=True)
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()
        self._commit_lock = threading.Lock()

    # -- sessions ---------------------------------------------------------------------------

    def open_session(self, manifest_json: str | bytes, signature: str) -> SessionStatus:
        """Check signature, paths and limits, record the session, and say which chunks are missing."""
        manifest = verify_manifest(manifest_json, signature, self._key)
        for entry in manifest.files:
            if self.max_file_bytes is not None and entry.size > self.max_file_bytes:
                raise LimitError(
                    f"file {entry.path} is {entry.size} bytes; this receiver takes at most {self.max_file_bytes}"
                )
        if self.max_total_bytes is not None and manifest.total_bytes > self.max_total_bytes:
            raise LimitError(
                f"transfer is {manifest.total_bytes} bytes; this receiver takes at most {self.max_total_bytes}"
            )
        canonical = manifest.to_json()
        session_id = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]
        folder = self._sessions_dir / session_id
        with self._lock:
            if session_id not in self._sessions and not (folder / "manifest.json").exists():
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                    _write_atomically(folder / "manifest.json", canonical.encode("utf-8"), self._tmp)
                except OSError as exc:
                    raise _storage_error(exc, "cannot record the session") from exc
        return self.status(session_id)

    def status(self, session_id: str) -> SessionStatus:
        session = self._session(session_id)
        missing = [sha for sha in session.chunks if not self._chunk_path(sha).exists()]
        missing_bytes = sum(session.chunks[sha] for sha in missing)
        total = sum(session.chunks.values())
        return SessionStatus(
            session_id=session_id,
            missing=missing,
            received_bytes=total - missing_bytes,
            total_bytes=total,
            chunks_resent=sum(count - 1 for count in session.attempts.values() if count > 1),
            committed=session.committed,
            files=[entry.path for entry in session.manifest.files],
        )

    # -- chunks -----------------------------------------------------------------------------

    def begin_chunk(self, session_id: str, sha256: str) -> None:
        """Record that a chunk upload has begun (before its body arrives): the re-send count rests on this."""
        session = self._session(session_id)
        if sha256 not in session.chunks:
            raise SessionError(f"chunk {sha256} is not part of session {session_id}")
        with self._lock:
            session.attempts[sha256] = session.attempts.get(sha256, 0) + 1
            try:
                with (self._sessions_dir / session_id / "attempts.log").open("a", encoding="ascii") as log:
                    log.write(sha256 + "\n")
            except OSError:
                pass  # the count is a statistic; a full disk shows up where it matters, on the chunk write

    def put_chunk(self, session_id: str, sha256: str, body: bytes, encoding: str | None = None) -> bool:
        """Store one chunk if its decoded bytes hash to ``sha256``; False on a mismatch (the sender re-sends)."""
        session = self._session(session_id)
        size = session.chunks.get(sha256)
        if size is None:
            raise SessionError(f"chunk {sha256} is not part of session {session_id}")
        target = self._chunk_path(sha256)
        if target.exists():
            return True
        data = self._decode(body, encoding, size)
        if data is None or len(data) != size or hashlib.sha256(data).hexdigest() != sha256:
            return False
        try:
            target.parent.mkdir(exist_ok=True)
            _write_atomically(target, data, self._tmp)
        except OSError as exc:
            raise _storage_error(exc, f"cannot store chunk {sha256[:12]}") from exc
        return True

    # -- commit -----------------------------------------------------------------------------

    def commit(self, session_id: str) -> list[Path]:
        """Assemble and verify every file, then move them all into place; on any failure nothing is committed."""
        session = self._session(session_id)
        with self._commit_lock:
            missing = [sha for sha in session.chunks if not self._chunk_path(sha).exists()]
            if missing:
                raise IncompleteError(f"{len(missing)} chunks still missing; cannot commit")
            assembled: list[tuple[Path, Path]] = []
            try:
                for entry in session.manifest.files:
                    target = self._target(entry.path)
                    temp = self._tmp / f"{uuid.uuid4().hex}.part"
                    assembled.append((temp, target))
                    digest = hashlib.sha256()
                    with temp.open("wb") as out:
                        for chunk in entry.chunks:
                            with self._chunk_path(chunk.sha256).open("rb") as source:
                                while block := source.read(_COPY_BLOCK):
                                    digest.update(block)
                                    out.write(block)
                        out.flush()
                        os.fsync(out.fileno())
                    if digest.hexdigest() != entry.sha256:
                        raise TransferError(f"file {entry.path} does not match its SHA-256 after assembly")
                moved: list[Path] = []
                try:
                    for temp, target in assembled:
                        target.parent.mkdir(parents=True, exist_ok=True)
                        self._check_inside(target.parent)
                        os.replace(temp, target)
                        moved.append(target)
                except BaseException:
                    for target in moved:
                        target.unlink(missing_ok=True)
                    raise
                for directory in dict.fromkeys(target.parent for target in moved):
                    _fsync_directory(directory)  # the renames themselves survive a crash
            except OSError as exc:
                raise _storage_error(exc, "commit failed, nothing committed") from exc
            finally:
                for temp, _target in assembled:
                    temp.unlink(missing_ok=True)
            marker = self._sessions_dir / session_id / "committed"
            # The files are in place; should the marker fail, a later commit just re-assembles them.
            with contextlib.suppress(OSError):
                marker.touch()
            session.committed = True
            return [target for _temp, target in assembled]

    # -- internals --------------------------------------------------------------------------

    def _session(self, session_id: str) -> _Session:
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None:
                return session
            if not (len(session_id) == 32 and all(c in "0123456789abcdef" for c in session_id)):
                raise SessionError(f"no session {session_id!r}")
            folder = self._sessions_dir / session_id
            try:
                manifest = Manifest.from_json((folder / "manifest.json").read_bytes())
            except FileNotFoundError:
                raise SessionError(f"no session {session_id}") from None
            attempts: dict[str, int] = {}
            log = folder / "attempts.log"
            if log.exists():
                for line in log.read_text(encoding="ascii", errors="replace").split():
                    attempts[line] = attempts.get(line, 0) + 1
            session = _Session(manifest, manifest.unique_chunks(), attempts, (folder / "committed").exists())
            self._sessions[session_id] = session
            return session

    def _chunk_path(self, sha256: str) -> Path:
        return self._chunks / sha256[:2] / sha256

    def _target(self, relative: str) -> Path:
        target = self.directory / relative
        self._check_inside(target)
        return target

    def _check_inside(self, path: Path) -> None:
        resolved = path.resolve()
        if resolved != self.directory and self.directory not in resolved.parents:
            raise ManifestError(f"{path} resolves outside the receiving directory")
        if resolved == self._state or self._state in resolved.parents:
            raise ManifestError(f"{path} is inside the receiver's state directory")

    @staticmethod
    def _decode(body: bytes, encoding: str | None, size: int) -> bytes | None:
        if encoding in (None, "", "identity"):
            return body
        if encoding == "zstd":
            try:
                return zstandard.ZstdDecompressor().decompress(body, max_output_size=size)
            except zstandard.ZstdError:
                return None
        raise EncodingError(f"unsupported Content-Encoding {encoding!r} (zstd or none)")


def _write_atomically(target: Path, data: bytes, tmp_dir: Path) -> None:
    temp = tmp_dir / f"{uuid.uuid4().hex}.tmp"
    try:
        with temp.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    """Make a directory's entries (a rename into it) durable; quietly skipped where not supported."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _storage_error(exc: OSError, what: str) -> TransferError:
    if exc.errno in _DISK_FULL:
        return StorageError(f"receiver disk full or over quota: {what}")
    return TransferError(f"receiver storage error: {what}: {exc.strerror or exc}")


# -- HTTP ----------------------------------------------------------------------------------------


class ReceiverServer(ThreadingHTTPServer):
    """A threaded HTTP/1.1 server around one :class:`ReceiverCore`; one thread per connection."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, listen: tuple[str, int], core: ReceiverCore, token: str) -> None:
        super().__init__(listen, _ReceiverHandler)
        self.core = core
        self.token = token

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{host}:{port}"


def serve(listen: tuple[str, int], core: ReceiverCore, token: str) -> ReceiverServer:
    """Bind a :class:`ReceiverServer` on ``listen`` (port 0: any free port); call ``serve_forever()`` on it."""
    return ReceiverServer(listen, core, token)


class _ReceiverHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ReceiverServer
    timeout = 120
    server_version = "huizhen-transfer/1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per chunk would drown the receiver's own messages

    def do_POST(self) -> None:
        parts = self._route()
        if parts is None:
            return
        if parts == ["sessions"]:
            body = self._body(MAX_MANIFEST_BYTES)
            if body is None:
                return
            try:
                request = json.loads(body)
                manifest_json, signature = request["manifest"], request["signature"]
            except (ValueError, KeyError, TypeError):
                self._reply(400, {"error": 'body must be {"manifest": ..., "signature": ...}'})
                return
            self._call(lambda: asdict(self.server.core.open_session(manifest_json, signature)))
        elif len(parts) == 3 and parts[0] == "sessions" and parts[2] == "commit":
            if self._body(0) is None:
                return
            session_id = parts[1]
            self._call(lambda: _committed(self.server.core, session_id))
        else:
            self._reply(404, {"error": "no such endpoint"}, close=True)

    def do_GET(self) -> None:
        parts = self._route()
        if parts is None:
            return
        if len(parts) == 2 and parts[0] == "sessions":
            session_id = parts[1]
            self._call(lambda: asdict(self.server.core.status(session_id)))
        else:
            self._reply(404, {"error": "no such endpoint"}, close=True)

    def do_PUT(self) -> None:
        parts = self._route()
        if parts is None:
            return
        if not (len(parts) == 4 and parts[0] == "sessions" and parts[2] == "chunks" and is_sha256_hex(parts[3])):
            self._reply(404, {"error": "no such endpoint"}, close=True)
            return
        session_id, sha256 = parts[1], parts[3]
        encoding = self.headers.get("Content-Encoding")
        core = self.server.core
        try:
            core.begin_chunk(session_id, sha256)
        except TransferError as exc:
            self._reply(exc.status, {"error": str(exc)}, close=True)
            return
        body = self._body(core._session(session_id).manifest.chunk_size + 1024 * 1024)
        if body is None:
            return
        try:
            stored = core.put_chunk(session_id, sha256, body, encoding)
        except TransferError as exc:
            self._reply(exc.status, {"error": str(exc)})
            return
        if stored:
            self._reply(201, {"stored": sha256})
        else:
            self._reply(422, {"error": f"chunk does not match its SHA-256 {sha256}"})

    def _route(self) -> list[str] | None:
        expected = f"Bearer {self.server.token}".encode()
        given = self.headers.get("Authorization", "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected):
            self._reply(401, {"error": "missing or wrong bearer token"}, close=True)
            return None
        path = self.path.split("?", 1)[0].strip("/").split("/")
        if len(path) < 2 or path[0] != "v1":
            self._reply(404, {"error": "no such endpoint"}, close=True)
            return None
        return path[1:]

    def _body(self, limit: int) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > limit:
            self._reply(413, {"error": f"body length must be 0..{limit}"}, close=True)
            return None
        body = self.rfile.read(length)
        if len(body) != length:
            self.close_connection = True  # the client went away mid-body
            return None
        return body

    def _call(self, action: Any) -> None:
        try:
            result = action()
        except TransferError as exc:
            self._reply(exc.status, {"error": str(exc)})
            return
        self._reply(200, result)

    def _reply(self, status: int, payload: dict[str, Any], *, close: bool = False) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)


def _committed(core: ReceiverCore, session_id: str) -> dict[str, Any]:
    paths = core.commit(session_id)
    return {"committed": [path.relative_to(core.directory).as_posix() for path in paths]}
