"""Layer families. Importing this package registers every layer type archlint knows."""

from archlint.layers import activation, conv, dense, normalization, pooling, reshape  # noqa: F401

FAMILIES = ("activation", "conv", "dense", "normalization", "pooling", "reshape")
