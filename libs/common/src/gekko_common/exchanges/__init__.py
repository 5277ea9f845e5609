"""Exchange metadata for ``GET /api/exchanges``, from market snapshots shipped with the package.

Each snapshot (``snapshots/<slug>.json``) holds what ccxt reports about an exchange (name, required
credentials, capabilities, markets with minimal order sizes and precision), so the catalogue works
offline. :func:`refresh_snapshot` rebuilds one from the live exchange through ccxt when it is
reachable (never in tests).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

SNAPSHOT_DIR = Path(str(resources.files(__package__))) / "snapshots"
CREDENTIALS = {"apiKey": "key", "secret": "secret", "password": "passphrase", "uid": "username"}
"""ccxt's credential names -> Gekko's ``requires`` names."""


@cache
def snapshots() -> dict[str, dict[str, Any]]:
    """Every shipped snapshot by slug."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(SNAPSHOT_DIR.glob("*.json"))}


def capabilities(snapshot: dict[str, Any]) -> dict[str, Any]:
    """One exchange in the original's ``/api/exchanges`` shape."""
    markets = [
        {
            "pair": [m["quote"], m["base"]],
            "minimalOrder": {"amount": m["minAmount"], "unit": "asset"},
            "precision": m["precision"],
        }
        for m in snapshot["markets"]
    ]
    return {
        "name": snapshot["name"],
        "slug": snapshot["slug"],
        "currencies": sorted({m["quote"] for m in snapshot["markets"]}),
        "assets": sorted({m["base"] for m in snapshot["markets"]}),
        "markets": markets,
        "requires": [CREDENTIALS[c] for c in snapshot["requiredCredentials"] if c in CREDENTIALS],
        "providesHistory": "date" if snapshot["has"].get("fetchTrades") else False,
        "providesFullHistory": bool(snapshot["has"].get("fetchOHLCV")),
        "tid": "tid",
        "tradable": True,
        "gekkoBroker": 0.6,
    }


def catalog() -> list[dict[str, Any]]:
    """Every supported exchange, sorted by slug like the original's wrapper listing."""
    return [capabilities(s) for _, s in sorted(snapshots().items())]


def find_market(slug: str, currency: str, asset: str) -> dict[str, Any] | None:
    """The snapshot market for currency/asset on ``slug`` (None when unknown)."""
    snap = snapshots().get(slug)
    if snap is None:
        return None
    return next((m for m in snap["markets"] if m["quote"] == currency and m["base"] == asset), None)


def ccxt_id(slug: str) -> str:
    """The ccxt exchange id of a Gekko slug."""
    snap = snapshots().get(slug)
    return str(snap.get("ccxt", slug)) if snap else slug


async def refresh_snapshot(slug: str, directory: Path = SNAPSHOT_DIR) -> Path:  # pragma: no cover - needs the internet
    """Rebuild ``slug``'s snapshot from the live exchange's markets through ccxt."""
    import ccxt.async_support as ccxt_async

    exchange = getattr(ccxt_async, ccxt_id(slug))({"options": {"fetchMarkets": {"types": ["spot"]}}})
    try:
        markets = await exchange.load_markets()
    finally:
        await exchange.close()
    data = {
        "slug": slug,
        "ccxt": exchange.id,
        "name": exchange.name,
        "requiredCredentials": [k for k, v in exchange.requiredCredentials.items() if v],
        "has": {k: bool(exchange.has.get(k)) for k in ("fetchOHLCV", "fetchTrades", "createOrder")},
        "markets": [
            {
                "base": m["base"],
                "quote": m["quote"],
                "symbol": m["symbol"],
                "minAmount": (m.get("limits", {}).get("amount", {}) or {}).get("min") or 0,
                "precision": (m.get("precision") or {}).get("amount"),
            }
            for m in markets.values()
            if m.get("spot") and m.get("active", True)
        ],
    }
    path = directory / f"{slug}.json"
    path.write_text(json.dumps(data, indent=1, sort_keys=True))
    snapshots.cache_clear()
    return path
