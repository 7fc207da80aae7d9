"""moto_server with DynamoDB requests applied one at a time.

DynamoDB applies every single-item write and every transaction atomically:
of two concurrent conditional writes, one fails. moto's threaded server does
not guarantee that (both can read the old item and both succeed), which would
make concurrency tests of our exactly-once code pass or fail by luck.
Serialising DynamoDB requests restores the guarantee; SQS (including long
polls) and Secrets Manager stay concurrent. Same arguments as moto_server.
GET /_counts returns the DynamoDB operations served so far, by name.
"""
import json
import sys
import threading
from collections import Counter

import moto.server as server

_dynamodb = threading.Lock()
# DynamoDB operations served, by name: GET /_counts reads them, so tests and
# benchmarks can check how many calls an update costs.
_calls = Counter()


class AtomicDynamoDB(server.DomainDispatcherApplication):
    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/_counts":
            body = json.dumps(dict(_calls)).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("DynamoDB"):
            with _dynamodb:
                _calls[target.split(".")[-1]] += 1
                return list(super().__call__(environ, start_response))
        return super().__call__(environ, start_response)


server.DomainDispatcherApplication = AtomicDynamoDB

if __name__ == "__main__":
    server.main(sys.argv[1:])
