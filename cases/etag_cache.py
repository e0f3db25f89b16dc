"""Status ETags without a database round trip, kept true by PostgreSQL.

Client systems poll `GET /api/v1/cases/{id}/status/` with If-None-Match all day, and
nearly every poll ends in a 304. The ETag is made of the case's `version` and
`updated_at` (cases/api.py); reading them is one indexed lookup, but a round trip all
the same. Each process keeps the ETags it has read here, and PostgreSQL says when one
stops being true: a trigger (migration cases/0023) NOTIFYs `lexloci_case_changed` with
the case's id whenever either column changes or the case is deleted, and "*" when the
table is truncated. This process LISTENs on a connection of its own and, before every
use, reads what has arrived (a non-blocking read of the socket, no round trip).

What it promises:
- An ETag is stored only when no notification for its case arrived between the moment
  before it was read and the moment it is stored, and each notification drops it. So
  an entry is never older than the notifications this process has read.
- A commit's notification is on the listening socket as soon as PostgreSQL has
  signalled it (microseconds on one machine): a poll in that moment is answered as if
  it had come just before the commit, and the next poll sees the change.
- A listening connection that fails, or does not answer its heartbeat (a `SELECT 1`
  every HEARTBEAT_SECONDS, which also delivers whatever was sent before it), empties
  the cache; lookups go to the database until it is back (retried once a second).
- Inside a transaction (a test's, or a request's) nothing is read from or stored here:
  the transaction may see rows no one else does.

Off on SQLite (one process, no NOTIFY) and when DATABASE_LISTEN is off (a pooler in
transaction mode, such as PgBouncer, does not carry LISTEN).
"""

import contextlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import psycopg
from django.conf import settings
from django.db import connection

CHANNEL = "lexloci_case_changed"
CAPACITY = 100_000
HEARTBEAT_SECONDS = 5.0
RETRY_SECONDS = 1.0
MISSING_TRIGGER_RETRY_SECONDS = 60.0
TRIGGERS = ("cases_case_etag_changed", "cases_case_etag_deleted", "cases_case_etag_truncated")
TRIGGER_SQL = "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'cases_case'::regclass AND tgname = ANY(%s)"
CONNECTION_OK = 0  # libpq's CONNECTION_OK (psycopg.pq.ConnStatus.OK)
# Connections inherited across a fork: never closed from the child (closing would end
# the parent's session on the shared socket), only forgotten.
_INHERITED: list = []


def own_connection() -> psycopg.Connection:
    """A psycopg connection of its own (autocommit) to Django's database, with its
    settings but none of Django's cursor and adapter wiring."""
    params = connection.get_connection_params()
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    return psycopg.connect(**params, autocommit=True)


class StatusEtagCache:
    def __init__(self, capacity: int = CAPACITY, heartbeat: float = HEARTBEAT_SECONDS) -> None:
        self.capacity = capacity
        self.heartbeat = heartbeat
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._listener: psycopg.Connection | None = None
        self._ended = False
        self._retry_at = 0.0
        self._checked_at = 0.0
        self._etags: OrderedDict[int, str] = OrderedDict()
        # Each notification read advances the generation. For a case being read from
        # the database, the generation of its last notification: a read that started
        # before it may not be stored. `_cleared` is the generation of the last "*" or
        # lost connection, which no read that started before it may outlive.
        self._generation = 0
        self._cleared = 0
        self._reading: dict[int, int] = {}
        self._notified: dict[int, int] = {}

    @staticmethod
    def enabled() -> bool:
        return connection.vendor == "postgresql" and settings.DATABASE_LISTEN

    def etag(self, case_id: int, read: Callable[[int], str | None]) -> str | None:
        """The case's status ETag: from here while it is known true, else `read(case_id)`
        from the database (None: no such case), then kept."""
        if not self.enabled() or connection.in_atomic_block:
            return read(case_id)
        with self._lock:
            if not self._listening():
                listening = False
            else:
                listening = True
                found = self._etags.get(case_id)
                if found is not None:
                    self._etags.move_to_end(case_id)
                    return found
                started = self._generation
                self._reading[case_id] = self._reading.get(case_id, 0) + 1
        if not listening:
            return read(case_id)
        value = None
        try:
            value = read(case_id)
        finally:
            with self._lock:
                still = self._listening()  # reads what arrived while the row was read
                if value is not None and still and self._cleared <= started:
                    if self._notified.get(case_id, 0) <= started:
                        self._store(case_id, value)
                left = self._reading[case_id] - 1
                if left:
                    self._reading[case_id] = left
                else:
                    del self._reading[case_id]
                    self._notified.pop(case_id, None)
        return value

    def __len__(self) -> int:
        return len(self._etags)

    # --- the listening connection (called with the lock held) -------------------

    def _listening(self) -> bool:
        """True when the listening connection is up and everything it has received is
        applied; otherwise the cache is empty and False."""
        if self._pid != os.getpid():  # forked: start afresh, leave the parent's alone
            if self._listener is not None:
                _INHERITED.append(self._listener)
            self._pid, self._listener, self._retry_at = os.getpid(), None, 0.0
            self._clear()
        now = time.monotonic()
        if self._listener is None:
            if now < self._retry_at:
                return False
            try:
                self._listener = self._connect()
            except LookupError:
                self._retry_at = now + MISSING_TRIGGER_RETRY_SECONDS
                return False
            except Exception:
                self._retry_at = now + RETRY_SECONDS
                return False
            self._checked_at = now
            self._clear()  # nothing read before now is known to be true
        listener = self._listener
        try:
            if now - self._checked_at >= self.heartbeat:
                listener.execute("SELECT 1")  # notifications met on the way: `_apply`
                self._checked_at = now
            pgconn = listener.pgconn
            pgconn.consume_input()  # what has arrived; never waits
            while (notice := pgconn.notifies()) is not None:
                self._apply(notice.extra.decode())
            # A server that ends the session (a restart, a kill) says so first, as a
            # FATAL message libpq hands to the notice handler; the socket's end follows.
            if self._ended or pgconn.status != CONNECTION_OK:
                raise ConnectionError("the listening connection was ended by the server")
        except Exception:
            self._drop_listener(now)
            return False
        return True

    def _connect(self) -> psycopg.Connection:
        listener = own_connection()
        self._ended = False
        listener.add_notify_handler(lambda notice: self._apply(notice.payload))
        listener.add_notice_handler(self._on_notice)
        # A database without the triggers (migration cases/0023 not applied) would never
        # say a case changed: then nothing is kept, and the row is read each time.
        found = listener.execute(TRIGGER_SQL, [list(TRIGGERS)]).fetchone()
        if found is None or found[0] != len(TRIGGERS):
            listener.close()
            raise LookupError("the cases_case_etag_* triggers are missing")
        listener.execute(f"LISTEN {CHANNEL}")
        return listener

    def _on_notice(self, diagnostic) -> None:
        if diagnostic.severity_nonlocalized in ("FATAL", "PANIC"):
            self._ended = True

    def close(self) -> None:
        """Stop listening and forget every ETag (the test run's end: the test database
        can be dropped only when no one is connected to it)."""
        with self._lock:
            if self._listener is not None:
                self._drop_listener(time.monotonic())
            self._retry_at = 0.0

    def _drop_listener(self, now: float) -> None:
        listener, self._listener = self._listener, None
        self._retry_at = now + RETRY_SECONDS
        self._clear()
        if listener is not None:
            with contextlib.suppress(Exception):  # already gone: nothing to close
                listener.close()

    def _apply(self, payload: str) -> None:
        self._generation += 1
        if payload == "*":
            self._clear()
            return
        try:
            case_id = int(payload)
        except ValueError:
            self._clear()  # not ours to read: trust nothing
            return
        self._etags.pop(case_id, None)
        if case_id in self._reading:
            self._notified[case_id] = self._generation

    def _clear(self) -> None:
        self._generation += 1
        self._cleared = self._generation
        self._etags.clear()

    def _store(self, case_id: int, value: str) -> None:
        self._etags[case_id] = value
        self._etags.move_to_end(case_id)
        while len(self._etags) > self.capacity:
            self._etags.popitem(last=False)


STATUS_ETAGS = StatusEtagCache()
