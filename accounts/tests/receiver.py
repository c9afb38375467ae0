"""A webhook receiver for tests: an HTTP server on 127.0.0.1 that records what it is sent."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Record every POST; answer with `answers` in turn (then 200); `url` is where it listens."""

    def __init__(self, answers=()):
        self.requests: list[dict] = []
        self.answers = list(answers)
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.requests.append({"headers": dict(self.headers), "body": body})
                    status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    @property
    def events(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]

    def unique_events(self) -> list[dict]:
        """What a receiver that drops repeated X-Shop-Delivery ids keeps."""
        seen, kept = set(), []
        for request in self.requests:
            delivery = request["headers"]["X-Shop-Delivery"]
            if delivery not in seen:
                seen.add(delivery)
                kept.append(json.loads(request["body"]))
        return kept


def signature_valid(request: dict, secret: str) -> bool:
    """Check X-Shop-Signature as a partner would (the docs' receiver example does the same)."""
    fields = dict(part.split("=", 1) for part in request["headers"]["X-Shop-Signature"].split(","))
    signed = fields["t"].encode() + b"." + request["body"]
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])
