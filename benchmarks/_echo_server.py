"""The P2 baseline: a bare Starlette JSON echo endpoint served by uvicorn.

`python benchmarks/_echo_server.py --port 0` listens on 127.0.0.1 (port 0: a free one), prints
`echo serving http://127.0.0.1:PORT/client-session` like `primer-nb emulator` does, and
answers `POST /client-session` with the JSON it received. It is served by
`primer_nb.cli.serve`, the function behind `primer-nb emulator`, so the two servers run
with the same uvicorn settings and differ in the work the app does per request. Not only
in the emulator's favour: the echo goes through Starlette's routing, its `Request` and
`request.json()`, where the emulator's `ApiMiddleware` answers `/client-session` before
Starlette and parses with orjson; the emulator's path alone is about 10 µs a request
cheaper (benchmarks/README.md). A raw ASGI echo would be a harder baseline (32-43 µs of
server CPU a request against this one's ~60).
"""

from __future__ import annotations

import argparse

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from primer_nb.cli import serve
from primer_nb.emulator.responses import JSONResponse  # the emulator's (orjson) answers


async def echo(request: Request) -> JSONResponse:
    return JSONResponse(await request.json())


app = Starlette(routes=[Route("/client-session", echo, methods=["POST"])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    raise SystemExit(serve(app, host=args.host, port=args.port, name="echo"))


if __name__ == "__main__":
    main()
