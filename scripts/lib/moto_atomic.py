"""moto_server with DynamoDB requests applied one at a time.

DynamoDB applies every single-item write and every transaction atomically:
of two concurrent conditional writes, one fails. moto's threaded server does
not guarantee that (both can read the old item and both succeed), which would
make concurrency tests of our exactly-once code pass or fail by luck.
Serialising DynamoDB requests restores the guarantee; SQS (including long
polls) and Secrets Manager stay concurrent. Same arguments as moto_server.
"""
import sys
import threading

import moto.server as server

_dynamodb = threading.Lock()


class AtomicDynamoDB(server.DomainDispatcherApplication):
    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            with _dynamodb:
                return list(super().__call__(environ, start_response))
        return super().__call__(environ, start_response)


server.DomainDispatcherApplication = AtomicDynamoDB

if __name__ == "__main__":
    server.main(sys.argv[1:])
