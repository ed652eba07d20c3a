#!/usr/bin/python3
"""tests/serve.py DIR PORTFILE [SECONDS]

Serves DIR over HTTP on 127.0.0.1 at a free port (the kernel picks it),
writes the port number to PORTFILE (atomically, once the socket is
listening) and logs every request to standard error. It exits by itself
after SECONDS (default 300), so a test that is killed cannot leave it
behind; a test stops it earlier by its process id.
"""
import functools
import http.server
import os
import sys
import threading


def main():
    if len(sys.argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    root, portfile = sys.argv[1], sys.argv[2]
    lifetime = float(sys.argv[3]) if len(sys.argv) == 4 else 300.0
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, portfile)
    timer = threading.Timer(lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
