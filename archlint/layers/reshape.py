"""reshape layers (being written)."""
