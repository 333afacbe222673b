"""Keras preprocessing and augmentation layers, and the layers that pass their input through
(ActivityRegularization, Identity, Masking).

None has weights. The image augmentations keep the shape of what they read: a batch of images
(batch, height, width, channels) or, read as one image, a rank-3 tensor; Keras refuses any other rank
("Expected image tensor to have rank 3 (single image) or 4 (batch of images)"). RandomCrop gives
(height, width) images. The colour-space augmentations (RandomHue, RandomSaturation,
RandomColorDegeneration) split the channels into red, green and blue, and fail on other than 3; AugMix,
RandAugment and RandomGrayscale take 3 or 1.

The keywords are the constructors' and what `get_config()` writes (`data_format` on every one), with
the constructors' defaults; values were observed in Keras 3.15.1 (torch backend).
"""

from __future__ import annotations

from archlint import rules
from archlint.layers.registry import KERAS, REQUIRED, Call, Output, register
from archlint.shapes import format_shape

RANGE = (0, 255)
COMMON = {"seed": None, "data_format": None}
IMAGE_LAYERS = {
    "AugMix": {"value_range": RANGE, "num_chains": 3, "chain_depth": 3, "factor": 0.3, "alpha": 1.0, "all_ops": True,
               "interpolation": "bilinear"},
    "AutoContrast": {"value_range": RANGE},
    "RandAugment": {"value_range": RANGE, "num_ops": 2, "factor": 0.5, "interpolation": "bilinear"},
    "RandomBrightness": {"factor": REQUIRED, "value_range": RANGE},
    "RandomColorDegeneration": {"factor": REQUIRED, "value_range": RANGE},
    "RandomColorJitter": {"value_range": RANGE, "brightness_factor": None, "contrast_factor": None,
                          "saturation_factor": None, "hue_factor": None},
    "RandomContrast": {"factor": REQUIRED, "value_range": RANGE},
    "RandomElasticTransform": {"factor": 1.0, "scale": 1.0, "interpolation": "bilinear", "fill_mode": "reflect",
                               "fill_value": 0.0, "value_range": RANGE},
    "RandomErasing": {"factor": 1.0, "scale": (0.02, 0.33), "fill_value": None, "value_range": RANGE},
    "RandomFlip": {"mode": "horizontal_and_vertical"},
    "RandomGaussianBlur": {"factor": 1.0, "kernel_size": 3, "sigma": 1.0, "value_range": RANGE},
    "RandomGrayscale": {"factor": 0.5},
    "RandomHue": {"factor": REQUIRED, "value_range": RANGE},
    "RandomInvert": {"factor": 1.0, "value_range": RANGE},
    "RandomPerspective": {"factor": 1.0, "scale": 1.0, "interpolation": "bilinear", "fill_value": 0.0},
    "RandomPosterization": {"factor": REQUIRED, "value_range": RANGE},
    "RandomRotation": {"factor": REQUIRED, "fill_mode": "reflect", "interpolation": "bilinear", "fill_value": 0.0},
    "RandomSaturation": {"factor": REQUIRED, "value_range": RANGE},
    "RandomSharpness": {"factor": REQUIRED, "value_range": RANGE},
    "RandomShear": {"x_factor": 0.0, "y_factor": 0.0, "interpolation": "bilinear", "fill_mode": "reflect",
                    "fill_value": 0.0},
    "RandomTranslation": {"height_factor": REQUIRED, "width_factor": REQUIRED, "fill_mode": "reflect",
                          "interpolation": "bilinear", "fill_value": 0.0},
    "RandomZoom": {"height_factor": REQUIRED, "width_factor": None, "fill_mode": "reflect",
                   "interpolation": "bilinear", "fill_value": 0.0},
    "Solarization": {"addition_factor": 0.0, "threshold_factor": 0.0, "value_range": RANGE},
    "MixUp": {"alpha": 0.2},
    "CutMix": {"factor": 1.0},
}
RGB_ONLY = frozenset({"RandomHue", "RandomSaturation", "RandomColorDegeneration"})
RGB_OR_GRAY = frozenset({"AugMix", "RandAugment", "RandomGrayscale"})  # 3 channels, or 1
# Pass their input through unchanged, whatever its rank.
PASS_THROUGH = {
    "ActivityRegularization": {"l1": 0.0, "l2": 0.0},  # adds a loss on its input, no weights
    "Identity": {},
    "Masking": {"mask_value": 0.0},  # attaches a mask (archlint/masks.py follows it); no shape or count
}


# The schema of each keyword (given at registration: these layers' `fill_mode`, `interpolation`, `scale`
# differ from the shared Keras keywords of the same names). Factors are a number or a [low, high] pair.
_FACTOR = {"type": ["number", "array", "null"], "items": {"type": "number"},
           "description": "A number or a [low, high] range; changes no shape."}
SCHEMA = {
    **{key: _FACTOR for key in ("factor", "scale", "sigma", "height_factor", "width_factor", "x_factor", "y_factor",
                                "addition_factor", "threshold_factor", "brightness_factor", "contrast_factor",
                                "saturation_factor", "hue_factor", "alpha")},
    "value_range": {"type": "array", "items": {"type": "number"}, "description": "[low, high] of the pixel values."},
    "num_chains": {"type": "integer"}, "chain_depth": {"type": ["integer", "array"]}, "num_ops": {"type": "integer"},
    "all_ops": {"type": "boolean"}, "kernel_size": {"type": ["integer", "array"]},
    "interpolation": {"type": "string"}, "fill_mode": {"type": "string"}, "fill_value": {"type": ["number", "null"]},
    "mode": {"type": "string", "description": "horizontal, vertical or horizontal_and_vertical."},
    "height": {"type": "integer", "minimum": 1}, "width": {"type": "integer", "minimum": 1},
    "l1": {"type": "number"}, "l2": {"type": "number"}, "mask_value": {"type": ["number", "null"]},
    "seed": {"type": ["integer", "null"]}, "data_format": {"$ref": "#/definitions/data_format"},
    "dtype": {"$ref": "#/definitions/dtype"},
}


def _channels_axis(call: Call) -> int:
    return 1 if call.cfg.get("data_format") == "channels_first" else call.x.rank - 1


def _image(call: Call) -> None:
    if call.x.rank not in (3, 4):
        raise call.fail(rules.RANK_MISMATCH,
                        f"{call.type} reads images, (batch, height, width, channels), but receives rank {call.x.rank}, "
                        f"{format_shape(call.x.shape)}",
                        hint="Keras fails with 'Expected image tensor to have rank 3 (single image) or 4 (batch of "
                             "images)': apply image augmentations to the image input, before any Flatten or pooling")
    channels = call.x.shape[_channels_axis(call)]
    if call.type in RGB_OR_GRAY and channels is not None and channels not in (1, 3):
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} reads RGB (3 channels) or grayscale (1) images, but the image has {channels} "
                        "channels", hint=f"the input is {format_shape(call.x.shape)}; Keras fails when called "
                                         "('Invalid "
                        "channel size: expected 3 (RGB) or 1 (Grayscale)'); apply it to RGB or grayscale images")
    if call.type in RGB_ONLY and channels is not None and channels != 3:
        raise call.fail(rules.INVALID_ARGUMENT,
                        f"{call.type} works in a colour space of red, green and blue, but the image has {channels} "
                        f"channel{'s' if channels != 1 else ''} ({format_shape(call.x.shape)}): Keras fails when "
                        "called", hint="apply it to RGB images (3 channels)")


def augmentation(call: Call) -> Output:
    _image(call)
    return Output(call.x.shape, macs=0)


def random_crop(call: Call) -> Output:
    _image(call)
    shape = list(call.x.shape)
    first = 2 if call.cfg.get("data_format") == "channels_first" else 1
    if call.x.rank == 3:  # one image: (height, width, channels), no batch axis
        first -= 1
    shape[first], shape[first + 1] = call.cfg["height"], call.cfg["width"]
    return Output(tuple(shape), macs=0)


def pass_through(call: Call) -> Output:
    return Output(call.x.shape, macs=0)


def _register(name: str, family: str, defaults: dict, infer, description: str) -> None:
    register(KERAS, name, family, defaults, infer, schema={k: SCHEMA[k] for k in defaults}, description=description)


for _name, _defaults in IMAGE_LAYERS.items():
    _register(_name, "augmentation", {**_defaults, **COMMON, "dtype": None}, augmentation,
              "A Keras image augmentation layer: no weights, the shape of the images it reads.")
_register("RandomCrop", "resize", {"height": REQUIRED, "width": REQUIRED, **COMMON, "dtype": None}, random_crop,
          "Crops images to (height, width); no weights.")
for _name, _defaults in PASS_THROUGH.items():
    _register(_name, "identity", {**_defaults, "dtype": None}, pass_through, "Passes its input through; no weights.")
