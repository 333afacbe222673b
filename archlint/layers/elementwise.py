"""Shape-preserving layers without weights: activations, dropout, noise (being written)."""
