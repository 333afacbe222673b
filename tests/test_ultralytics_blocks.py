"""The Ultralytics module builders (archlint/sources/ultralytics/blocks.py) against values measured on
ultralytics 8.4.190 with torch 2.13 (each module instantiated with these constructor arguments and run on
zeros of these (C, H, W)): output shape, parameters, MACs (torch.utils.flop_counter's FLOPs / 2) and the
FLOPs ultralytics' GFLOPs adds up (thop.profile's count x 2: the products, plus normalizations, the
softmax of nn.MultiheadAttention, average pools). tests/crosscheck/test_yolo_blocks.py re-measures them."""

from __future__ import annotations

import pytest

from archlint.sources.ultralytics.blocks import BLOCKS, INNER, BlockError, Built
from archlint.sources.ultralytics.modules.conv import cblinear_outputs

# (module, constructor args, inputs, output shape, parameters, MACs, ultralytics FLOPs)
MEASURED = [
    ('Conv', [3, 16, 3, 2], [(3, 640, 640)], (16, 320, 320), 464, 44236800, 101580800),
    ('Conv', [64, 128, 3, 2], [(64, 160, 160)], (128, 80, 80), 73984, 471859200, 950272000),
    ('Conv', [16, 32, 3, 1, None, 2, 2], [(16, 20, 20)], (32, 20, 20), 2368, 921600, 1945600),
    ('DWConv', [1024, 1024, 3, 2, 1, False], [(1024, 40, 40)], (1024, 20, 20), 11264, 3686400, 10649600),
    ('GhostConv', [128, 256, 3, 2], [(128, 80, 80)], (256, 40, 40), 151168, 241049600, 485376000),
    ('Focus', [3, 32, 3], [(3, 64, 64)], (32, 32, 32), 3520, 3538944, 7340032),
    ('ConvTranspose', [16, 8], [(16, 8, 8)], (8, 16, 16), 528, 32768, 81920),
    ('DWConvTranspose2d', [16, 32, 3, 2, 1, 1], [(16, 8, 8)], (32, 16, 16), 320, 18432, 36864),
    ('RepConv', [16, 16, 3, 1, 1, 1, 1, True, True], [(16, 8, 8)], (16, 8, 8), 2656, 163840, 352256),
    ('Concat', [1], [(256, 40, 40), (128, 40, 40)], (384, 40, 40), 0, 0, 0),
    ('nn.Upsample', [None, 2, 'nearest'], [(256, 20, 20)], (256, 40, 40), 0, 0, 0),
    ('nn.MaxPool2d', [2, 2, 0], [(32, 320, 320)], (32, 160, 160), 0, 0, 0),
    ('nn.ConvTranspose2d', [192, 192, 2, 2, 0], [(192, 20, 20)], (192, 40, 40), 147648, 58982400, 117964800),
    ('nn.ZeroPad2d', [[0, 1, 0, 1]], [(512, 20, 20)], (512, 21, 21), 0, 0, 0),
    ('nn.Conv2d', [16, 32, 3, 1, 'same'], [(16, 9, 9)], (32, 9, 9), 4640, 373248, 746496),
    ('nn.BatchNorm2d', [16], [(16, 9, 9)], (16, 9, 9), 32, 0, 10368),
    ('nn.AvgPool2d', [3, 2, 1], [(8, 9, 9)], (8, 5, 5), 0, 0, 4000),
    ('C2f', [32, 32, 1, True], [(32, 160, 160)], (32, 160, 160), 7360, 183500800, 386662400),
    ('C2f', [384, 128, 1], [(384, 40, 40)], (128, 40, 40), 148224, 235929600, 476774400),
    ('C3k2', [32, 64, 1, False, 0.25], [(32, 160, 160)], (64, 160, 160), 6640, 163840000, 352256000),
    ('C3k2', [256, 256, 2, True], [(256, 40, 40)], (256, 40, 40), 560128, 891289600, 1802240000),
    ('C3k2', [64, 128, 1, False, 0.5, True], [(64, 20, 20)], (128, 20, 20), 100480, 54912000, 112384000),
    ('SPPF', [256, 256, 5], [(256, 20, 20)], (256, 20, 20), 164608, 65536000, 132300800),
    ('SPPF', [256, 256, 5, 3, True], [(256, 20, 20)], (256, 20, 20), 164608, 65536000, 132300800),
    ('SPP', [1024, 512, [5, 9, 13]], [(1024, 20, 20)], (512, 20, 20), 1574912, 629145600, 1261568000),
    ('C2PSA', [256, 256, 1], [(256, 20, 20)], (256, 20, 20), 249728, 129484800, 263475200),
    ('PSA', [640, 640], [(640, 20, 20)], (640, 20, 20), 1545920, 692352000, 1395968000),
    ('C2fPSA', [64, 64, 2], [(64, 8, 8)], (64, 8, 8), 28352, 2134016, 4562944),
    ('Bottleneck', [128, 128], [(128, 40, 40)], (128, 40, 40), 147840, 235929600, 474316800),
    ('C1', [16, 32, 2], [(16, 8, 8)], (32, 8, 8), 19136, 1212416, 2473984),
    ('C2', [64, 64, 2, False], [(64, 20, 20)], (64, 20, 20), 45568, 18022400, 36864000),
    ('C3', [128, 128, 2], [(128, 80, 80)], (128, 80, 80), 115712, 734003200, 1494220800),
    ('C3x', [16, 32, 2], [(16, 8, 8)], (32, 8, 8), 4864, 294912, 655360),
    ('C3TR', [16, 32, 2], [(16, 8, 8)], (32, 8, 8), 6672, 671744, 1571840),
    ('C3Ghost', [64, 64, 2, True], [(64, 80, 80)], (64, 80, 80), 10864, 66662400, 144793600),
    ('GhostBottleneck', [16, 32, 3, 2], [(16, 8, 8)], (32, 4, 4), 2008, 44288, 109056),
    ('RepC3', [512, 256, 3], [(512, 80, 80)], (256, 80, 80), 2232320, 14260633600, 28626124800),
    ('BottleneckCSP', [16, 32, 2], [(16, 8, 8)], (32, 8, 8), 11296, 704512, 1482752),
    ('C2fCIB', [1280, 640, 3, True], [(1280, 20, 20)], (640, 20, 20), 3122560, 1242624000, 2510848000),
    ('C2fCIB', [768, 512, 1, True, True], [(768, 20, 20)], (512, 20, 20), 1089536, 433152000, 876953600),
    ('A2C2f', [384, 128, 1, False, -1], [(384, 40, 40)], (128, 40, 40), 86912, 137625600, 280985600),
    ('A2C2f', [256, 256, 2, True, 4], [(256, 40, 40)], (256, 40, 40), 689408, 1744076800, 3545497600),
    ('A2C2f', [512, 512, 2, True, 1, True, 1.2], [(512, 20, 20)], (512, 20, 20), 2268568, 1228390400, 2482828800),
    ('RepNCSPELAN4', [600, 240, 240, 120, 1], [(600, 80, 80)], (240, 80, 80), 715920, 4561920000, 9203712000),
    ('ELAN1', [64, 64, 64, 32], [(64, 160, 160)], (64, 160, 160), 31104, 786432000, 1612185600),
    ('ADown', [256, 256], [(256, 80, 80)], (256, 40, 40), 164352, 262144000, 527564800),
    ('AConv', [240, 360], [(240, 80, 80)], (360, 40, 40), 778320, 1244160000, 2492928000),
    ('SPPELAN', [256, 256, 128], [(256, 20, 20)], (256, 20, 20), 164608, 65536000, 132300800),
    ('SCDown', [256, 512, 3, 2], [(256, 80, 80)], (512, 40, 40), 137728, 846233600, 1725235200),
    ('AIFI', [256, 1024, 8], [(256, 20, 20)], (256, 20, 20), 789760, 396544000, 802400000),
    ('HGStem', [3, 32, 48], [(3, 640, 640)], (48, 160, 160), 25248, 1019084800, 2120089600),
    ('HGBlock', [512, 192, 1024, 5, 6, True, False], [(512, 40, 40)], (1024, 40, 40), 1695360, 2700288000, 5449728000),
    ('HGBlock', [48, 48, 128, 3, 6], [(48, 160, 160)], (128, 160, 160), 155072, 3945267200, 7988838400),
    ('ResNetLayer', [3, 64, 1, True, 1], [(3, 640, 640)], (64, 160, 160), 9536, 963379200, 1979187200),
    ('ResNetLayer', [512, 256, 2, False, 6], [(512, 80, 80)], (1024, 40, 40), 7098368, 11953766400, 24048435200),
    ('CBAM', [16, 7], [(16, 8, 8)], (16, 8, 8), 370, 6528, 15136),
    ('CBLinear', [16, [8, 4], 3], [(16, 8, 8)], (12, 8, 8), 1740, 110592, 221184),
    ('C2fAttn', [32, 64, 2, 32, 2, 24], [(32, 8, 8), (5, 24)], (64, 8, 8), 59746, 3749632, 7646720),
    ('C2fAttn', [1280, 640, 3, 320, 10], [(1280, 40, 40), (80, 512)], (640, 40, 40), 8670410, 13652787200,
     27350630400),
    # the feature maps, then the text embeddings (tokens, features)
    ('ImagePoolingAttn', [256, [64, 128, 256]], [(64, 80, 80), (128, 40, 40), (256, 20, 20), (80, 512)], (80, 512),
     512000, 209117184, 418672640),
    ('ImagePoolingAttn', [64, [32, 64], 128, 4, 2, True], [(32, 8, 8), (64, 4, 4), (7, 128)], (7, 128), 31681,
     384000, 783360),
]


@pytest.mark.parametrize("name, args, inputs, shape, params, macs, flops", MEASURED,
                         ids=[f"{row[0]}{row[1]}" for row in MEASURED])
def test_measured(name, args, inputs, shape, params, macs, flops):
    built = {**BLOCKS, **INNER}[name](list(args), inputs)
    assert isinstance(built, Built)
    assert (built.shape, built.params, built.macs) == (shape, params, macs)
    assert built.info_flops == flops
    assert built.frozen == 0


def test_args_are_not_mutated():
    args = [32, 64, 1, True]
    BLOCKS["C2f"](args, [(32, 8, 8)])
    assert args == [32, 64, 1, True]


def test_every_shipped_backbone_module_is_built():
    # the 36 non-head module types of the 66 YAMLs ultralytics 8.4 ships (the heads are heads.HEADS)
    shipped = {"Conv", "Concat", "C3k2", "nn.Upsample", "C2f", "RepNCSPELAN4", "SPPF", "C3Ghost", "ADown", "A2C2f",
               "GhostConv", "ResNetLayer", "Bottleneck", "C2fCIB", "C3", "C2PSA", "SCDown", "C2", "HGBlock", "RepC3",
               "AConv", "CBLinear", "CBFuse", "C2fAttn", "SPPELAN", "DWConv", "PSA", "nn.MaxPool2d", "AIFI", "HGStem",
               "nn.ConvTranspose2d", "nn.Identity", "ELAN1", "SPP", "nn.ZeroPad2d", "ImagePoolingAttn"}
    assert shipped <= set(BLOCKS)


def test_modules_parse_model_cannot_name_are_not_offered():
    # ultralytics.nn.tasks does not import them: a YAML row naming CBAM fails with KeyError: 'CBAM'
    assert {"CBAM", "ChannelAttention", "SpatialAttention", "C3k", "Attention"} <= set(INNER)
    assert not set(INNER) & set(BLOCKS)


def test_cblinear_outputs_and_cbfuse():
    parts = cblinear_outputs([512, [64, 128, 256]], [(512, 20, 20)])
    assert parts == [(64, 20, 20), (128, 20, 20), (256, 20, 20)]
    other = cblinear_outputs([1024, [64, 128, 256, 512]], [(1024, 10, 10)])
    built = BLOCKS["CBFuse"]([[1, 1]], [parts, other, (128, 80, 80)])
    assert (built.shape, built.params, built.macs, built.flops) == ((128, 80, 80), 0, 0, None)
    with pytest.raises(BlockError, match=r"size of tensor a \(64\) must match the size of tensor b \(128\)"):
        BLOCKS["CBFuse"]([[0, 1]], [parts, other, (128, 80, 80)])
    with pytest.raises(BlockError, match="list index out of range"):
        BLOCKS["CBFuse"]([[0]], [parts, other, (128, 80, 80)])


# torch's and ultralytics' own words for what fails (measured: the same call on the real module raises these)
FAILURES = [
    ("Conv", [1024, 64, 3], [(512, 20, 20)],
     "Given groups=1, weight of size [64, 1024, 3, 3], expected input[1, 512, 20, 20] to have 1024 channels, but "
     "got 512 channels instead"),
    ("Conv", [63, 64, 3, 1, None, 2], [(63, 8, 8)], "in_channels must be divisible by groups"),
    ("Conv", [64, 63, 3, 1, None, 2], [(64, 8, 8)], "out_channels must be divisible by groups"),
    ("Conv", [64, 64, 3, 1, 0], [(64, 2, 2)],
     "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than "
     "actual input size"),
    ("Concat", [1], [(4, 40, 40), (4, 20, 20)],
     "Sizes of tensors must match except in dimension 1. Expected size 40 but got size 20 for tensor number 1 in "
     "the list."),
    ("nn.MaxPool2d", [2, 2, 0], [(64, 1, 1)],
     "Given input size: (64x1x1). Calculated output size: (64x0x0). Output size is too small"),
    ("nn.BatchNorm2d", [64], [(32, 4, 4)], "running_mean should contain 32 elements not 64"),
    ("Attention", [96, 5], [(96, 8, 8)], "shape '[1, 5, 37, 64]' is invalid for input of size 11904"),
    ("AAttn", [64, 2, 3], [(64, 8, 8)], "shape '[3, 21, 192]' is invalid for input of size 12288"),
    ("A2C2f", [32, 48, 1, True], [(32, 8, 8)], "Dimension of ABlock must be a multiple of 32."),
    ("ImagePoolingAttn", [64, [32], 128, 3], [(32, 8, 8), (7, 128)], "shape '[1, -1, 3, 21]' is invalid for input of "
     "size 448"),
    ("ImagePoolingAttn", [64, [32], 256], [(32, 8, 8), (80, 512)], "Given normalized_shape=[256], expected input "
     "with shape [*, 256], but got input of size[1, 80, 512]"),
    ("A2C2f", [32, 64, 1, True, 4, True], [(32, 8, 8)],
     "The size of tensor a (32) must match the size of tensor b (64) at non-singleton dimension 1"),
    ("AIFI", [30, 64, 3], [(30, 4, 4)], "Embed dimension must be divisible by 4 for 2D sin-cos position embedding"),
    ("SpatialAttention", [5], [(16, 8, 8)], "kernel size must be 3 or 7"),
    ("C2f", [32, 64, 1, True, 1, 0.5, 7], [(32, 8, 8)],
     "C2f.__init__() takes from 3 to 7 positional arguments but 8 were given"),
    ("Conv", [32], [(32, 8, 8)], "Conv.__init__() missing 1 required positional argument: 'c2'"),
    # an even kernel grows the map by one per convolution, which the concatenation of all of them refuses
    ("HGBlock", [32, 16, 32, 2, 3], [(32, 8, 8)],
     "Sizes of tensors must match except in dimension 1. Expected size 8 but got size 9 for tensor number 1 in "
     "the list."),
    ("HGBlock", [32, 16, 32, 2, 10**9], [(32, 8, 8)],
     "Sizes of tensors must match except in dimension 1. Expected size 8 but got size 9 for tensor number 1 in "
     "the list."),
]


@pytest.mark.parametrize("name, args, inputs, message", FAILURES, ids=[f"{row[0]}{row[1]}" for row in FAILURES])
def test_failures(name, args, inputs, message):
    with pytest.raises(BlockError) as caught:
        {**BLOCKS, **INNER}[name](list(args), inputs)
    assert caught.value.message == message


def test_repeats_cost_is_not_proportional_to_n():
    # n = 10**6 bottlenecks are counted, not built: the cost is n times one bottleneck's
    one = BLOCKS["C2f"]([32, 32, 1], [(32, 8, 8)])
    many = BLOCKS["C2f"]([32, 32, 10**6], [(32, 8, 8)])
    bottleneck = BLOCKS["Bottleneck"]([16, 16, False, 1, ((3, 3), (3, 3)), 1.0], [(16, 8, 8)])
    cv2_growth = (10**6 - 1) * 16 * 32  # cv2 reads (2 + n) * 16 channels
    assert many.params - one.params == (10**6 - 1) * bottleneck.params + cv2_growth
