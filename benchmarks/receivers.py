"""Receivers for the throughput benchmarks, each run in its own process (not the worker's).

    python benchmarks/receivers.py http PORT [--slow-prefix /slow --delay 2]
    python benchmarks/receivers.py smtp PORT

`http`: an asyncio HTTP/1.1 server with keep-alive that answers every POST `200 ok` (after
`--delay` seconds for paths under `--slow-prefix`); `GET /count` answers the number of POSTs.
`smtp`: an aiosmtpd server that accepts every message; on SIGTERM it prints the count.
A receiver inside the worker's process would share its GIL and halve the figure measured.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def start(kind: str, port: int, *extra: str) -> subprocess.Popen:
    """Start a receiver process on `port` and return once it accepts connections."""
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, str(Path(__file__).resolve()), kind, str(port), *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"the {kind} receiver did not start on port {port}")


def stop(process: subprocess.Popen) -> str:
    """Stop a receiver and return what it printed."""
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=10)
    return out


async def _http(port: int, slow_prefix: str, delay: float) -> None:
    count = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal count
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                if length:
                    await reader.readexactly(length)
                if method == "GET" and path == "/count":
                    body = str(count).encode()
                else:
                    count += 1
                    if slow_prefix and path.startswith(slow_prefix):
                        await asyncio.sleep(delay)
                    body = b"ok"
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n"
                    b"content-length: %d\r\n\r\n%s" % (len(body), body)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=512)
    stopped = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
    async with server:
        await stopped.wait()
    print(count, flush=True)


def _smtp(port: int) -> None:
    from aiosmtpd.controller import Controller

    class Counter:
        count = 0

        async def handle_DATA(self, server, session, envelope):
            Counter.count += 1
            return "250 2.0.0 accepted"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])  # before the server's thread
    controller.start()
    signal.sigwait([signal.SIGTERM])
    controller.stop()
    print(Counter.count, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["http", "smtp"])
    parser.add_argument("port", type=int)
    parser.add_argument("--slow-prefix", default="")
    parser.add_argument("--delay", type=float, default=2.0)
    args = parser.parse_args()
    if args.kind == "http":
        asyncio.run(_http(args.port, args.slow_prefix, args.delay))
    else:
        _smtp(args.port)


if __name__ == "__main__":
    main()
