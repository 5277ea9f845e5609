"""Drive a running stack over its REST and websocket API, as the Gekko UI does.

Imports a day of candles (POST /api/import) while printing the websocket's import_update frames,
then backtests the example config on that day (POST /api/backtest) and prints Gekko's report.

    python examples/api_client.py                       # the stack `gekko up` runs here
    python examples/api_client.py http://127.0.0.1:3000 # another gateway

Needs httpx and websockets (installed by `make install`). GEKKO_API_TOKEN is sent when set.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import httpx
import websockets

HERE = Path(__file__).resolve().parent
DAY = {"from": "2025-06-01 00:00", "to": "2025-06-01 23:59"}


def gateway_url() -> str:
    """The gateway: the argument, else the stack recorded by `gekko up`, else the default."""
    if len(sys.argv) > 1:
        return sys.argv[1].rstrip("/")
    from gekko_common.cli.stackinfo import resolve

    return resolve()["gateway"].url


async def main() -> None:
    url = gateway_url()
    token = os.environ.get("GEKKO_API_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    ws_url = url.replace("http", "ws", 1) + "/api" + (f"?token={token}" if token else "")
    config = json.loads((HERE / "gekko-config.json").read_text())
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as api, websockets.connect(ws_url) as ws:
        strategies = (await api.get("/api/strategies")).json()
        print(f"{len(strategies)} strategies: {', '.join(s['name'] for s in strategies)}")
        started = (
            await api.post("/api/import", json={"watch": config["watch"], "importer": {"daterange": DAY}})
        ).json()
        print(f"import {started['id']} started")
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 120))
            if frame.get("import_id") != started["id"]:
                continue
            if frame["type"] == "import_error":
                raise SystemExit(f"import failed: {frame['error']}")
            print(f"  {frame['type']}: {frame['updates']}")
            if frame["updates"].get("done"):
                break
        config["backtest"] = {"daterange": DAY}
        config["backtestResultExporter"] = {"enabled": True, "data": {"roundtrips": True, "trades": True}}
        answer = await api.post("/api/backtest", json=config)
        answer.raise_for_status()
        report = answer.json()["performanceReport"]
        print(f"backtest of {config['tradingAdvisor']['method']} on {DAY['from'][:10]}:")
        for key in ("profit", "relativeProfit", "market", "trades", "sharpe"):
            print(f"  {key:<15} {report[key]}")


if __name__ == "__main__":
    asyncio.run(main())
