"""What ultralytics 8.4's `parse_model` knows about each module name: which names it can resolve, which
module kinds get their channels width-scaled, which take the repeat count as an argument, which are
heads. One table per fact; everything here was observed by building models with the library."""

from __future__ import annotations

# Names parse_model resolves without a prefix (the module classes its namespace holds).
IMPORTABLE = frozenset((
    "A2C2f", "AConv", "ADown", "AIFI", "Bottleneck", "BottleneckCSP", "C1", "C2", "C2PSA", "C2f", "C2fAttn",
    "C2fCIB", "C2fPSA", "C3", "C3Ghost", "C3TR", "C3k2", "C3x", "CBFuse", "CBLinear", "Classify", "Concat", "Conv",
    "Conv2", "ConvTranspose", "DWConv", "DWConvTranspose2d", "Depth", "Detect", "ELAN1", "Focus",
    "GhostBottleneck", "GhostConv", "HGBlock", "HGStem", "ImagePoolingAttn", "Index", "LRPCHead", "OBB", "OBB26",
    "PSA", "Pose", "Pose26", "RTDETRDecoder", "RepC3", "RepConv", "RepNCSPELAN4", "RepVGGDW", "ResNetLayer",
    "SCDown", "SPP", "SPPELAN", "SPPF", "Segment", "Segment26", "SemanticSegment", "TorchVision", "WorldDetect",
    "YOLOEDetect", "YOLOESegment", "YOLOESegment26", "v10Detect",
))

# Modules ultralytics ships (ultralytics.nn.modules) that parse_model cannot resolve: `KeyError: 'CBAM'`.
SHIPPED_NOT_IMPORTABLE = frozenset((
    "Attention", "BNContrastiveHead", "CBAM", "CIB", "ChannelAttention", "ContrastiveHead", "DFL",
    "DeformableTransformerDecoder", "DeformableTransformerDecoderLayer", "LayerNorm2d", "LightConv", "MLP",
    "MLPBlock", "MSDeformAttn", "MaxSigmoidAttnBlock", "Proto", "SpatialAttention", "TransformerBlock",
    "TransformerEncoderLayer", "TransformerLayer", "C3k", "RepBottleneck", "RepCSP", "AAttn", "ABlock",
    "PSABlock", "C3f", "Residual", "SwiGLUFFN", "SAVPE", "Proto26",
))

# Channels: (c1, c2) = (input channels, make_divisible(min(args[0], max_channels) * width, 8)).
BASE = frozenset((
    "Classify", "Conv", "ConvTranspose", "GhostConv", "Bottleneck", "GhostBottleneck", "SPP", "SPPF", "C2fPSA",
    "C2PSA", "DWConv", "Focus", "BottleneckCSP", "C1", "C2", "C2f", "C3k2", "RepNCSPELAN4", "ELAN1", "ADown",
    "AConv", "SPPELAN", "C2fAttn", "C3", "C3TR", "C3Ghost", "nn.ConvTranspose2d", "DWConvTranspose2d", "C3x",
    "RepC3", "PSA", "SCDown", "C2fCIB", "A2C2f",
))

# The repeat count becomes the constructor's third argument (one module, n inner blocks).
REPEAT = frozenset((
    "BottleneckCSP", "C1", "C2", "C2f", "C3k2", "C2fAttn", "C3", "C3TR", "C3Ghost", "C3x", "RepC3", "C2fPSA",
    "C2fCIB", "C2PSA", "A2C2f",
))

# Modules after which the Detect family builds its newer (not "legacy") classification branch.
NOT_LEGACY = frozenset(("C3k2", "A2C2f", "C2fCIB"))

# Heads reading several feature maps: parse_model appends reg_max, end2end and the input channel list.
DETECT_FAMILY = frozenset((
    "Detect", "WorldDetect", "YOLOEDetect", "Segment", "Segment26", "YOLOESegment", "YOLOESegment26", "Pose",
    "Pose26", "OBB", "OBB26",
))
# ... of which these have a mask-prototype width (their third argument) scaled like a channel count.
SEGMENT_FAMILY = frozenset(("Segment", "Segment26", "YOLOESegment", "YOLOESegment26"))
POSE_FAMILY = frozenset(("Pose", "Pose26"))
# Heads that take the input channel list as their last argument without reg_max/end2end.
LIST_HEADS = frozenset(("v10Detect", "ImagePoolingAttn", "SemanticSegment", "Depth"))
# Every output head: it must be the last row and reads a list of rows. (ImagePoolingAttn takes a channel
# list like them but sits inside YOLO-World's neck; the model reads its output itself, not through `from`.)
HEADS = DETECT_FAMILY | LIST_HEADS - {"ImagePoolingAttn"} | {"RTDETRDecoder", "Classify"}
READ_BY_THE_MODEL = frozenset(("ImagePoolingAttn",))
# Heads for which the model is built without the 256x256 forward pass that finds the strides: ultralytics sets
# the stride to 32 (a failure shows only when an image is run).
NO_BUILD_PROBE = frozenset(("RTDETRDecoder",))
# Rows holding an adaptive pool (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d, alone or inside the module): thop
# extrapolates a model with one from two proxy images (a line), one without from one (proportional). Observed
# in get_flops: a fixed-size nn.Upsample does not count.
ADAPTIVE_POOLS = frozenset(("nn.AdaptiveAvgPool2d", "nn.AdaptiveMaxPool2d", "Classify", "ImagePoolingAttn"))
MULTI_INPUT = DETECT_FAMILY | LIST_HEADS | {"RTDETRDecoder", "Concat", "CBFuse"}

# The text embeddings YOLO-World's and YOLOE's models pass to their text-guided rows (C2fAttn,
# ImagePoolingAttn, the WorldDetect and YOLOE heads) when built from a YAML: (tokens, features). Observed:
# WorldModel holds 80 (its `nc` argument is None: the file's nc is not used), YOLOEModel passes 80 of 512.
TEXT_EMBEDDINGS = (80, 512)
TEXT_GUIDED = frozenset(("C2fAttn", "ImagePoolingAttn", "WorldDetect", "YOLOEDetect", "YOLOESegment",
                         "YOLOESegment26"))

# Scale letters a file name carries: yolov8n.yaml -> n.
SCALE_LETTERS = "nslmx"

# The module classes of torch.nn (2.x), which a row may name as `nn.<Class>`: any other name is an
# AttributeError when ultralytics builds the model.
TORCH_NN = frozenset((
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveLogSoftmaxWithLoss",
    "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "AlphaDropout", "AvgPool1d", "AvgPool2d",
    "AvgPool3d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "Bilinear", "CELU",
    "CTCLoss", "ChannelShuffle", "CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d",
    "ConstantPad2d", "ConstantPad3d", "Container", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d",
    "ConvTranspose2d", "ConvTranspose3d", "CosineEmbeddingLoss", "CosineSimilarity", "CrossEntropyLoss",
    "CrossMapLRN2d", "DataParallel", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "ELU", "Embedding",
    "EmbeddingBag", "FeatureAlphaDropout", "Flatten", "Fold", "FractionalMaxPool2d", "FractionalMaxPool3d", "GELU",
    "GLU", "GRU", "GRUCell", "GaussianNLLLoss", "GroupNorm", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh",
    "HingeEmbeddingLoss", "HuberLoss", "Identity", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
    "KLDivLoss", "L1Loss", "LPPool1d", "LPPool2d", "LPPool3d", "LSTM", "LSTMCell", "LayerNorm", "LazyBatchNorm1d",
    "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
    "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d",
    "LazyLinear", "LeakyReLU", "Linear", "LinearCrossEntropyLoss", "LocalResponseNorm", "LogSigmoid", "LogSoftmax",
    "MSELoss", "MarginRankingLoss", "MaxPool1d", "MaxPool2d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d",
    "MaxUnpool3d", "Mish", "Module", "ModuleDict", "ModuleList", "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss",
    "MultiMarginLoss", "MultiheadAttention", "NLLLoss", "NLLLoss2d", "PReLU", "PairwiseDistance", "ParameterDict",
    "ParameterList", "PixelShuffle", "PixelUnshuffle", "PoissonNLLLoss", "RMSNorm", "RNN", "RNNBase", "RNNCell",
    "RNNCellBase", "RReLU", "ReLU", "ReLU6", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
    "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "SELU", "Sequential", "SiLU", "Sigmoid",
    "SmoothL1Loss", "SoftMarginLoss", "Softmax", "Softmax2d", "Softmin", "Softplus", "Softshrink", "Softsign",
    "SyncBatchNorm", "Tanh", "Tanhshrink", "Threshold", "Transformer", "TransformerDecoder",
    "TransformerDecoderLayer", "TransformerEncoder", "TransformerEncoderLayer", "TripletMarginLoss",
    "TripletMarginWithDistanceLoss", "Unflatten", "Unfold", "Upsample", "UpsamplingBilinear2d",
    "UpsamplingNearest2d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
))
