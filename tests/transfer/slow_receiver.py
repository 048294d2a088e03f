"""A receiver process that stores each chunk slowly, so a test can kill it mid-transfer.

``python -m tests.transfer.slow_receiver --listen 127.0.0.1:PORT --dir DIR --delay SECONDS``
serves the real :class:`ReceiverCore` through the real HTTP server; only the delay per
chunk is added (a test hook that has no place in the product's CLI).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from huizhen.transfer import serve
from tests.transfer.loopback import KEY, TOKEN, CountingCore


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", required=True)
    parser.add_argument("--dir", required=True, type=Path)
    parser.add_argument("--delay", type=float, default=0.1)
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    server = serve((host, int(port)), CountingCore(args.dir, key=KEY, delay=args.delay), TOKEN)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
