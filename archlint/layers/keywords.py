"""Keyword tables several layer families share."""

# Keras layers with a kernel and a bias take these, none of which changes a shape or a count.
KERAS_KERNEL_AND_BIAS = {
    "kernel_initializer": "glorot_uniform",
    "bias_initializer": "zeros",
    "kernel_regularizer": None,
    "bias_regularizer": None,
    "activity_regularizer": None,
    "kernel_constraint": None,
    "bias_constraint": None,
}
