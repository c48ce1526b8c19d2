"""The P2 baseline: a bare Starlette JSON echo endpoint served by uvicorn.

`python benchmarks/_echo_server.py --port 0` listens on 127.0.0.1 (port 0: a free one), prints
`echo serving http://127.0.0.1:PORT/client-session` like `primer-nb emulator` does, and
answers `POST /client-session` with the JSON it received. Same uvicorn settings as the
emulator's CLI (one worker, default loop and HTTP implementation, no access log), so the
two servers differ only in the work the app does per request.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def echo(request: Request) -> JSONResponse:
    return JSONResponse(await request.json())


app = Starlette(routes=[Route("/client-session", echo, methods=["POST"])])


async def _announce(server: uvicorn.Server, host: str) -> None:
    """Print the ready line once uvicorn listens, with the port it picked."""
    while not server.started:
        if server.should_exit:
            return
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    print(f"echo serving http://{host}:{port}/client-session", flush=True)


async def _serve(server: uvicorn.Server, host: str) -> None:
    announcer = asyncio.create_task(_announce(server, host))
    try:
        await server.serve()
    finally:
        announcer.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    # The settings of `primer-nb emulator` (primer_nb/cli.py), served the same way:
    # uvicorn binds the socket itself (so asyncio sets TCP_NODELAY on each connection).
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        access_log=False,
        log_level="warning",
        lifespan="off",
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    for sig in (signal.SIGINT, signal.SIGTERM):  # uvicorn re-raises it after a clean stop
        signal.signal(sig, lambda *_: None)
    asyncio.run(_serve(server, args.host))


if __name__ == "__main__":
    main()
