"""What the webhooks' tests share: a real HTTP receiver on 127.0.0.1, and endpoints aimed at it.

The receiver answers each POST with the next status of its script (200 once the script is
spent) and keeps every request, body and headers as received.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from commun.hooks.events import EVENT_TYPES
from commun.hooks.models import Endpoint


class Receiver:
    def __init__(self):
        self.received: list[dict] = []
        self.script: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(
                    {"path": self.path, "body": body, "headers": dict(self.headers.items())}
                )
                status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def allow_loopback(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = True


@pytest.fixture
def receiver(allow_loopback):
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def endpoint_for(receiver, alice):
    """An endpoint registered by Alice, aimed at the receiver, hearing the events given."""

    def make(*events, url=None) -> Endpoint:
        return Endpoint.register(alice, url or receiver.url, list(events or EVENT_TYPES))

    return make
