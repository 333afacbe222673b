"""activation layers (being written)."""
