"""Property-based fuzzing of the REST API from its own OpenAPI document (``make test`` bounded, ``make fuzz`` long)."""
