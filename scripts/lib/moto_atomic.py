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


# moto backs up every table a transaction touches with copy.deepcopy before
# applying it (once per item), so one TransactWriteItems costs time in
# proportion to the whole table: about half a second with 10,000 users, which
# made benchmarks measure moto instead of our code. Requests are serialised
# above, so the backup can be the touched items alone: they are kept before
# the transaction and put back if it fails; the tables themselves are not
# copied. What a transaction does and how it fails is unchanged.
import copy as _copy

import moto.dynamodb.models as _ddb_models
from moto.dynamodb.models.dynamo_type import DynamoType as _DynamoType

_original_transact = _ddb_models.DynamoDBBackend.transact_write_items


class _CopyWithoutTables:
    """The `copy` module as moto's transaction code sees it: tables are
    returned as they are (the touched items are kept instead)."""

    def __getattr__(self, name):
        return getattr(_copy, name)

    @staticmethod
    def deepcopy(x, memo=None):
        if isinstance(x, _ddb_models.Table):
            return x
        return _copy.deepcopy(x, memo)


def _touched(table, attrs):
    if table.hash_key_attr not in attrs:
        return None
    h = _DynamoType(attrs[table.hash_key_attr])
    r = None
    if table.range_key_attr:
        if table.range_key_attr not in attrs:
            return None
        r = _DynamoType(attrs[table.range_key_attr])
    return h, r


def _transact_write_items(self, transact_items):
    saved = []
    for entry in transact_items:
        _, op = next(iter(entry.items()))
        table = self.tables.get(op.get("TableName"))
        if table is None:
            continue
        key = _touched(table, op.get("Key") or op.get("Item") or {})
        if key is None:
            continue
        old = table.get_item(*key)
        saved.append((table, key, _copy.deepcopy(old) if old is not None else None))
    _ddb_models.copy = _CopyWithoutTables()
    try:
        return _original_transact(self, transact_items)
    except BaseException:
        for table, (h, r), old in reversed(saved):
            if r is None:
                if old is None:
                    table.items.pop(h, None)
                else:
                    table.items[h] = old
            elif old is None:
                table.items.get(h, {}).pop(r, None)
            else:
                table.items[h][r] = old
        raise
    finally:
        _ddb_models.copy = _copy


_ddb_models.DynamoDBBackend.transact_write_items = _transact_write_items

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
