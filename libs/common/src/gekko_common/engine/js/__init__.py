"""Gekko's JavaScript strategies, run unchanged in an embedded sandbox (see docs/strategies.md)."""

from gekko_common.engine.js.strategy import JsStrategy, load_js_strategies

__all__ = ["JsStrategy", "load_js_strategies"]
