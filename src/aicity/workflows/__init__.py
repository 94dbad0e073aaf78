"""Orchestration: the only place that wires the store and the library together. CLI and web call these."""
