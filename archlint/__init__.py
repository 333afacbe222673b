"""archlint: a static linter for neural-network architectures written as YAML or JSON."""

__version__ = "0.1.0"
