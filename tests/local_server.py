"""A local HTTP server on a free port, in a thread, for tests that stand in for a platform."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The request timeout of a client of these servers where the test measures no timeout. A local
# server answers in milliseconds, but a loaded 2-core CI machine can leave a thread unscheduled
# for longer than the 0.3-0.5 s these tests used to allow (the hackernews tests timed out once
# that way): this bound only stops a hung test, so it is generous.
LOCAL_TIMEOUT = 10.0


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve with `handler` while the block runs; yields the server's base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.block_on_close = False  # a sleeping handler must not hold up teardown
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
