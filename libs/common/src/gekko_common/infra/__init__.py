"""Infrastructure adapters shared by the services: NATS bus, candle store, migrations, local stack.

The domain modules of gekko_common never import from here.
"""
