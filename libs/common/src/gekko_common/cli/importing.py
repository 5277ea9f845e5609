"""``gekko import``: the original's ``node gekko --import``, as an import job of the stack's importer.

The job is started through the gateway (``POST /api/import``, so ``/api/imports`` lists it) and
its progress followed on the import's events on NATS, shown as a progress bar.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import urllib.error
import urllib.request
from typing import Any

import click

from gekko_common.cli.common import CliError, Output, make_output, output_options, run
from gekko_common.events import IMPORT_ERROR, IMPORT_UPDATE


def post_import(gateway: str, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /api/import`` (with GEKKO_API_TOKEN when set); a CliError carrying the API's error."""
    headers = {"Content-Type": "application/json"}
    token = os.environ.get("GEKKO_API_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if not gateway.startswith(("http://", "https://")):
        raise CliError(f"GEKKO_GATEWAY_URL must be an http(s) URL, not {gateway!r}")
    request = urllib.request.Request(  # noqa: S310 - http(s) checked above
        gateway + "/api/import", json.dumps(body).encode(), headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310 - the stack's own gateway
            record: dict[str, Any] = json.loads(answer.read())
            return record
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("error", exc.reason)
        except (ValueError, AttributeError):
            detail = exc.reason
        raise CliError(f"the gateway refused the import ({exc.code}): {detail}") from None
    except OSError as exc:
        raise CliError(f"cannot reach the gateway at {gateway}: {exc}") from None


async def follow(
    nats_url: str, gateway: str, body: dict[str, Any], span: tuple[int, int], out: Output
) -> dict[str, Any]:
    """Start the import and show its progress until it is done or failed; its final state."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from gekko_common import subjects
    from gekko_common.dates import parse_date
    from gekko_common.infra import bus
    from gekko_common.messages import envelope_decoder

    events: asyncio.Queue[Any] = asyncio.Queue()

    async def collect(msg: Any) -> None:
        await events.put((msg.subject.rsplit(".", 1)[-1], envelope_decoder.decode(msg.data)))

    nc = await bus.connect(nats_url, "gekko-cli-import")
    try:
        await nc.subscribe(subjects.IMPORT_EVENTS, cb=collect)
        await nc.flush()
        record = await asyncio.to_thread(post_import, gateway, body)
        state: dict[str, Any] = {**record, "done": False}
        start, end = span
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[latest]}"),
            TimeElapsedColumn(),
            disable=out.json,
            transient=False,
        ) as bar:
            task = bar.add_task(
                f"importing {body['watch']['currency']}/{body['watch']['asset']}", total=end - start, latest=""
            )
            while not state["done"] and "error" not in state:
                import_id, env = await events.get()
                if import_id != record["id"]:
                    continue
                if env.type == IMPORT_ERROR:
                    state["error"] = env.payload
                elif env.type == IMPORT_UPDATE and isinstance(env.payload, dict):
                    state.update(env.payload)
                    if state.get("latest"):
                        bar.update(
                            task, completed=parse_date(state["latest"], "latest") - start, latest=state["latest"]
                        )
            if state["done"]:
                bar.update(task, completed=end - start)
        return state
    finally:
        await nc.close()


@click.command("import")
@click.option("--exchange", required=True, help="exchange slug, e.g. binance")
@click.option("--pair", required=True, metavar="CURRENCY/ASSET", help="Gekko's order: quote/base, e.g. USDT/BTC")
@click.option("--from", "start", required=True, metavar="DATE", help="first minute, e.g. 2025-05-20")
@click.option("--to", "end", metavar="DATE", help="last minute, e.g. 2025-05-21T12:00Z (default: now)")
@output_options
def import_command(exchange: str, pair: str, start: str, end: str | None, as_json: bool, verbose: bool) -> None:
    """Import an exchange's 1-minute candles into the store, with a progress bar.

    The import runs on the stack's importer (it survives this command: Ctrl-C only stops watching)
    and is listed by /api/imports. The exchange's address comes from the importer's
    GEKKO_EXCHANGE_URLS.

    \b
    Examples:
      gekko import --exchange binance --pair USDT/BTC --from 2025-05-20 --to 2025-05-27
      gekko import --exchange binance --pair USDT/ETH --from 2025-06-01T00:00Z --json
    """
    from gekko_common.cli.stackinfo import need
    from gekko_common.dates import parse_date
    from gekko_common.errors import ConfigError

    out = make_output(as_json, verbose)
    currency, sep, asset = pair.partition("/")
    if not sep or not currency or not asset:
        raise CliError(f"--pair takes CURRENCY/ASSET, e.g. USDT/BTC, not {pair!r}")
    try:
        span = (parse_date(start, "--from"), parse_date(end, "--to") if end else int(time.time()))
    except ConfigError as exc:
        raise CliError(exc.message) from None
    daterange = {"from": start, **({"to": end} if end else {})}
    body = {"watch": {"exchange": exchange, "currency": currency, "asset": asset}, "importer": {"daterange": daterange}}
    gateway, nats_url = need("gateway", verbose), need("nats", verbose)
    state = run(follow(nats_url, gateway, body, span, out))
    out.emit(state)
    if "error" in state:
        raise CliError(str(state["error"]))
    out.info(f"import {state['id']} done: {exchange} {currency}/{asset} up to {state.get('latest')}")
