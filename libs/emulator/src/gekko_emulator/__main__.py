"""``python -m gekko_emulator [--port P] [--data DIR]``: serve the real candles as Binance spot."""

from __future__ import annotations

import argparse
from pathlib import Path

from aiohttp import web

from gekko_emulator.app import Exchange, build_app, load_default
from gekko_emulator.data import CANDLES_DIR


def main() -> None:
    """Run the emulator on loopback."""
    parser = argparse.ArgumentParser(prog="gekko-emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--data", type=Path, default=CANDLES_DIR)
    args = parser.parse_args()
    exchange = Exchange()
    load_default(exchange, args.data)
    print(f"exchange emulator (binance spot) on http://{args.host}:{args.port}/api/v3", flush=True)
    web.run_app(build_app(exchange), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
