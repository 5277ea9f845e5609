"""Real trading: advice becomes exchange orders through ccxt (engine §8), idempotent across restarts.

Each order's client id is derived from the gekko and the advice, so an order sent again after a crash
is refused by the exchange as a duplicate and fetched instead of placed twice. Credentials never leave
this module: they are decrypted here and handed to ccxt only.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

import ccxt.async_support as ccxt
from cryptography.fernet import Fernet

from gekko_common.gekko_state import iso_ms

log = logging.getLogger(__name__)

BUY_SHARE = 0.95
"""A buy spends this share of the currency balance (Gekko's live trader)."""
EXPOSED = 0.10
"""Holding more than this share of the portfolio's value in asset counts as being in position."""

Publish = Callable[[str, Any, str], Awaitable[None]]


def decrypt_credentials(token: bytes, secret_key: str) -> dict[str, str]:
    """The stored credentials of an exchange (Fernet-encrypted JSON)."""
    values = json.loads(Fernet(secret_key.encode()).decrypt(token))
    assert isinstance(values, dict)
    return {str(k): str(v) for k, v in values.items()}


def client_order_id(gekko_id: str, advice_id: str) -> str:
    """A deterministic client order id (<= 36 characters, Binance's limit)."""
    return f"gk{hashlib.sha256(gekko_id.encode()).hexdigest()[:12]}-{advice_id}"[:36]


class Trader:
    """Turns advice into market orders on one exchange market; publishes Gekko's trade events."""

    def __init__(self, gekko_id: str, exchange: Any, symbol: str, publish: Publish) -> None:
        self.gekko_id = gekko_id
        self.exchange = exchange
        self.symbol = symbol
        self.publish = publish
        self.base, self.quote = symbol.split("/")

    async def portfolio(self, price: float) -> tuple[dict[str, float], float]:
        balance = await self.exchange.fetch_balance()
        asset = float(balance.get(self.base, {}).get("free") or 0)
        currency = float(balance.get(self.quote, {}).get("free") or 0)
        return {"asset": asset, "currency": currency}, currency + asset * price

    async def reconcile(self) -> None:
        """Before trading again: cancel this gekko's orders still open from before a restart."""
        prefix = client_order_id(self.gekko_id, "")
        for order in await self.exchange.fetch_open_orders(self.symbol):
            if str(order.get("clientOrderId", "")).startswith(prefix):
                log.info("cancelling a stale order", extra={"fields": {"gekko": self.gekko_id}})
                await self.exchange.cancel_order(order["id"], self.symbol)

    async def execute(self, advice: dict[str, Any], price: float) -> dict[str, Any] | None:
        """Act on one advice; every outcome is published (tradeCompleted, or tradeAborted with a reason).

        Returns the completed trade (None when aborted)."""
        advice_id = advice["id"]
        action = "buy" if advice["recommendation"] == "long" else "sell"
        trade_id = "trade-" + advice_id.rsplit("-", 1)[-1]
        portfolio, balance = await self.portfolio(price)
        exposed = portfolio["asset"] * price > balance * EXPOSED
        market = self.exchange.market(self.symbol)
        minimum = float((market.get("limits", {}).get("amount") or {}).get("min") or 0)
        raw = portfolio["currency"] * BUY_SHARE / price if action == "buy" else portfolio["asset"]
        try:
            amount = float(self.exchange.amount_to_precision(self.symbol, raw))
        except ccxt.InvalidOrder:
            amount = 0.0  # below the exchange's precision: aborted below
        reason = None
        if (action == "buy" and exposed) or (action == "sell" and not exposed):
            reason = "Portfolio already in position."
        elif amount <= 0 or amount < minimum:
            reason = f"Amount {amount} is below the exchange's minimal order size {minimum}."
        if reason:
            await self.publish(
                "tradeAborted",
                {
                    "id": trade_id,
                    "adviceId": advice_id,
                    "action": action,
                    "portfolio": portfolio,
                    "balance": balance,
                    "reason": reason,
                },
                f"trade:{advice_id}:aborted",
            )
            return None
        await self.publish(
            "tradeInitiated",
            {"id": trade_id, "adviceId": advice_id, "action": action, "portfolio": portfolio, "balance": balance},
            f"trade:{advice_id}:init",
        )
        order = await self.place(action, amount, client_order_id(self.gekko_id, advice_id))
        filled = float(order.get("filled") or 0)
        average = float(order.get("average") or order.get("price") or price)
        after, after_balance = await self.portfolio(average)
        fee_percent = 0.1
        cost = fee_percent / 100 * filled * average
        effective = average * (1 + fee_percent / 100) if action == "buy" else average * (1 - fee_percent / 100)
        await self.publish("portfolioChange", after, f"trade:{advice_id}:portfolio")
        await self.publish("portfolioValueChange", {"balance": after_balance}, f"trade:{advice_id}:value")
        completed = {
            "id": trade_id,
            "adviceId": advice_id,
            "action": action,
            "cost": cost,
            "amount": filled,
            "price": average,
            "portfolio": after,
            "balance": after_balance,
            "date": iso_ms((order.get("lastTradeTimestamp") or order.get("timestamp") or time.time() * 1000) / 1000),
            "effectivePrice": effective,
            "feePercent": fee_percent,
        }
        await self.publish("tradeCompleted", completed, f"trade:{advice_id}:done")
        return completed

    async def place(self, action: str, amount: float, client_id: str) -> dict[str, Any]:
        """A market order under ``client_id``; if the exchange already has it, that order is used."""
        try:
            order = await self.exchange.create_order(
                self.symbol, "market", action, amount, params={"newClientOrderId": client_id}
            )
        except ccxt.InvalidOrder as exc:
            if "Duplicate" not in str(exc):
                raise
            order = await self.exchange.fetch_order(None, self.symbol, params={"origClientOrderId": client_id})
        for _ in range(60):
            if order.get("status") in ("closed", "canceled", "rejected", "expired"):
                break
            await asyncio.sleep(1)
            order = await self.exchange.fetch_order(order["id"], self.symbol)
        if order.get("status") != "closed" or not math.isfinite(float(order.get("filled") or 0)):
            raise RuntimeError(f"order {client_id} ended {order.get('status')}")
        return dict(order)
