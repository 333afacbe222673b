"""Layer families. Importing this package registers every layer type archlint knows."""

# The import order is the registration order, which docs/layers.md and `archlint layers` follow.
# isort: off
from archlint.layers import conv, dense, elementwise, normalization, pooling, reshape, resize  # noqa: F401
from archlint.layers import merge  # noqa: F401  (merges and torch functional steps, for graphs)
from archlint.layers import conv_depthwise, conv_transpose  # noqa: F401  (convolution variants, family conv)
# isort: on

FAMILIES = ("conv", "dense", "elementwise", "normalization", "pooling", "reshape", "resize")
FAMILIES += ("merge",)

from archlint.layers import embedding, recurrent, wrappers  # noqa: E402,F401  (embeddings, RNNs, Keras wrappers)

FAMILIES += ("embedding", "recurrent")

from archlint.layers import attention, transformer  # noqa: E402,F401  (attention, PyTorch Transformer layers)

FAMILIES += ("attention",)

from archlint.layers import keras_applications, keras_graph, keras_ops, preprocessing  # noqa: E402,F401  (Keras 3)
