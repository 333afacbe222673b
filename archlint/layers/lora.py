"""Keras LoRA (`lora_rank`): the kernel is frozen and two trainable low-rank factors are added.

Keras 3.15.1 (`Dense.enable_lora`, `BaseConv.enable_lora`, run at the end of `build`): the kernel of
shape (*rest, out) becomes non-trainable, and `lora_kernel_a` of shape (*rest, rank) and
`lora_kernel_b` of shape (rank, out) are trainable; the bias stays trainable. A rank of 0 or None
leaves LoRA off (`if self.lora_rank:`). Verified: Dense(4, lora_rank=2) on 8 features has 28 trainable
and 32 non-trainable weights; Conv2D(4, 3, lora_rank=2) on 3 channels 66 and 108.
`Embedding.enable_lora` is the same with the table as the kernel: (input_dim, output_dim) frozen,
`lora_embeddings_a` (input_dim, rank) and `lora_embeddings_b` (rank, output_dim) trainable, and
refused with an `embeddings_constraint`.
"""

from __future__ import annotations

from archlint import rules
from archlint.layers.registry import Call


def lora_split(call: Call, kernel_rest: int, out: int, constraint: str = "kernel_constraint") -> tuple[int, int]:
    """(trainable, non-trainable) weights of a kernel of kernel_rest * out values, LoRA applied."""
    rank = call.cfg.get("lora_rank")
    kernel = kernel_rest * out
    if not rank:
        return kernel, 0
    if rank < 0:  # Keras fails creating lora_kernel_a: "Negative dimensions are not allowed"
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} `lora_rank` must be positive (or 0 or null to "
                        f"turn LoRA off), got {rank}", "lora_rank", hint="use a positive rank, e.g. 4 or 8")
    if call.cfg.get(constraint) is not None:
        raise call.fail(rules.INVALID_ARGUMENT, f"{call.type} refuses `lora_rank` together with a `{constraint}`",
                        "lora_rank", hint=f"Keras's LoRA is incompatible with {constraint.replace('_', ' ')}s; "
                                          "remove the kernel_constraint, or lora_rank")
    return kernel_rest * rank + rank * out, kernel
