"""Layer families. Importing this package registers every layer type archlint knows."""

from archlint.layers import conv, dense, elementwise, normalization, pooling, reshape  # noqa: F401

FAMILIES = ("conv", "dense", "elementwise", "normalization", "pooling", "reshape")
