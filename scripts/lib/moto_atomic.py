"""moto_server with DynamoDB requests applied one at a time.

DynamoDB applies every single-item write and every transaction atomically:
of two concurrent conditional writes, one fails. moto's threaded server does
not guarantee that (both can read the old item and both succeed), which would
make concurrency tests of our exactly-once code pass or fail by luck.
Serialising DynamoDB requests restores the guarantee; SQS (including long
polls) and Secrets Manager stay concurrent. Same arguments as moto_server;
with `-p 0` it binds a free port itself, keeps the socket, and prints the
port on the first line of stdout (no window in which another process can
take a port picked for it). GET /_counts returns the AWS operations served
so far, by service and name: {"dynamodb": {"GetItem": 3}, "sqs": {...},
"secretsmanager": {...}} (JSON-protocol requests, named by X-Amz-Target).
"""
import json
import os
import socket
import sys
import threading
from collections import Counter

import moto.server as server

_dynamodb = threading.Lock()
# AWS operations served, by service and name: GET /_counts reads them, so
# tests and benchmarks can check how many calls an update costs.
_calls = {"dynamodb": Counter(), "sqs": Counter(), "secretsmanager": Counter()}
_counting = threading.Lock()
# X-Amz-Target prefix -> service.
_SERVICES = {"DynamoDB": "dynamodb", "AmazonSQS": "sqs", "secretsmanager": "secretsmanager"}


def _count(target):
    prefix, _, operation = target.partition(".")
    service = _SERVICES.get(prefix.split("_")[0])
    if service and operation:
        with _counting:
            _calls[service][operation] += 1


class AtomicDynamoDB(server.DomainDispatcherApplication):
    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/_counts":
            with _counting:
                body = json.dumps({k: dict(v) for k, v in _calls.items()}).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        _count(target)
        if target.startswith("DynamoDB"):
            with _dynamodb:
                return list(super().__call__(environ, start_response))
        return super().__call__(environ, start_response)


server.DomainDispatcherApplication = AtomicDynamoDB

def serve_on_a_free_port(host):
    """Binds port 0, tells the parent the port, serves on that same socket."""
    from werkzeug.serving import make_server

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((host, 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    os.environ["MOTO_PORT"] = str(port)
    app = AtomicDynamoDB(server.create_backend_app)
    srv = make_server(
        host,
        port,
        app,
        threaded=True,
        request_handler=server.MotoRequestHandler,
        fd=sock.fileno(),
    )
    print(port, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    args = sys.argv[1:]
    if "-p" in args and args[args.index("-p") + 1] == "0":
        host = args[args.index("-H") + 1] if "-H" in args else "127.0.0.1"
        serve_on_a_free_port(host)
    else:
        server.main(args)
