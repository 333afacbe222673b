"""The builders the classic Hugging Face family modules share (families/classic.py): task class names
from one suffix table, and a transformer layer from a table of its modules."""

from __future__ import annotations

from archlint.sources.huggingface.families import bloom, classic, gpt2, gpt_neox, opt


def test_a_task_class_is_the_prefix_and_its_kind_suffix_unless_named_otherwise():
    assert classic.architectures("Bloom", ("base", "causal_lm")) == {"BloomModel": "base",
                                                                     "BloomForCausalLM": "causal_lm"}
    assert gpt2.ARCHITECTURES["GPT2LMHeadModel"] == "causal_lm" and "GPT2ForCausalLM" not in gpt2.ARCHITECTURES
    assert sorted(opt.ARCHITECTURES) == ["OPTForCausalLM", "OPTForQuestionAnswering", "OPTForSequenceClassification",
                                         "OPTModel"]


def test_one_layer_of_each_table_has_the_published_parameter_count():
    """A BLOOM or GPT-NeoX layer of width d holds 12*d*d + 13*d parameters (q/k/v and out projections,
    a 4*d MLP, two LayerNorms, every Linear with its bias); GPT-NeoX without attention biases 12*d*d + 9*d;
    an OPT layer without biases and norm weights 12*d*d."""
    d = 64
    total = lambda parts: sum(p.total for p in parts)  # noqa: E731
    assert total(classic.block("h.0", d, 4 * d, bloom.LAYER)) == 12 * d * d + 13 * d == 49_984
    assert total(classic.block("layers.0", d, 4 * d, gpt_neox.LAYER)) == 12 * d * d + 13 * d
    assert total(classic.block("layers.0", d, 4 * d, gpt_neox.LAYER, bias=False, mlp_bias=True)) == 12 * d * d + 9 * d
    assert total(classic.block("l", d, 4 * d, opt.LAYER, bias=False, affine=False)) == 12 * d * d


def test_a_layer_lists_its_modules_in_registration_order_with_their_categories():
    parts = classic.block("h.3", 8, 32, gpt2.ATTENTION + gpt2.MLP, cls="Conv1D")
    assert [(p.path, p.cls, p.params, p.category) for p in parts] == [
        ("h.3.ln_1", "LayerNorm", 16, "norm"), ("h.3.attn.c_attn", "Conv1D", 8 * 24 + 24, "attention.other"),
        ("h.3.attn.c_proj", "Conv1D", 72, "attention.o"), ("h.3.ln_2", "LayerNorm", 16, "norm"),
        ("h.3.mlp.c_fc", "Conv1D", 8 * 32 + 32, "mlp"), ("h.3.mlp.c_proj", "Conv1D", 32 * 8 + 8, "mlp")]
    assert [p.path for p in classic.stack("h", 2, 8, 32, gpt2.MLP)] == ["h.0.mlp.c_fc", "h.0.mlp.c_proj",
                                                                        "h.1.mlp.c_fc", "h.1.mlp.c_proj"]
