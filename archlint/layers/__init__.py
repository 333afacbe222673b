"""Layer families. Importing this package registers every layer type archlint knows."""

from archlint.layers import (  # noqa: F401  # noqa: F401  (convolution variants, family conv)
    conv,
    conv_depthwise,
    conv_transpose,
    dense,
    elementwise,
    merge,  # noqa: F401  (merges and torch functional steps, for graphs)
    normalization,
    pooling,
    reshape,
    resize,
)

FAMILIES = ("conv", "dense", "elementwise", "normalization", "pooling", "reshape", "resize")
FAMILIES += ("merge",)

from archlint.layers import embedding, recurrent, wrappers  # noqa: E402,F401  (embeddings, RNNs, Keras wrappers)

FAMILIES += ("embedding", "recurrent")

from archlint.layers import attention, transformer  # noqa: E402,F401  (attention, PyTorch Transformer layers)

FAMILIES += ("attention",)

from archlint.layers import keras_applications, keras_graph, keras_ops, preprocessing  # noqa: E402,F401  (Keras 3)
