"""Wrong keyword values of the Keras `ops.*` steps get Keras's verdict, never an internal error (cases the
extreme-values fuzzer of tests/test_fuzz.py found; Keras wording observed in keras 3.15.1, torch backend)."""

from __future__ import annotations

import pytest

from archlint.lint import lint_file

HEAD = "archlint: 1\nframework: keras\ninput: [5, 9]\nlayers:\n"


def findings(tmp_path, layers: str) -> list[tuple]:
    path = tmp_path / "m.yaml"
    path.write_text(HEAD + layers)
    # Keras's own words, when the finding quotes them, lead the hint
    return [(f.rule.code, f.line, f.column, f.message, f.hint.split("; ")[0] if f.hint.startswith("Keras:") else "")
            for f in lint_file(str(path)).findings]


CASES = [
    ("- {type: ops.Stack, axis: 9223372036854775808}\n",
     ("E002", 5, 10, "ops.Stack takes a list of tensors as its first argument, not the single tensor (None, 5, 9)",
                     "Keras: Iterating over a symbolic KerasTensor is not supported")),
    ("- {type: ops.Stack, axis: 9223372036854775808, args: [[{__tensor__: 0}]]}\n",
     ("E002", 5, 27, "ops.Stack `axis=9223372036854775808` is out of range for a rank-4 tensor", "")),
    ("- {type: ops.Concatenate}\n",
     ("E002", 5, 10, "ops.Concatenate takes a list of tensors as its first argument, not the single tensor "
                     "(None, 5, 9)", "Keras: A symbolic KerasTensor cannot be used as a boolean")),
    ("- {type: ops.Matmul}\n",
     ("E002", 5, 10, "ops.Matmul multiplies two tensors (Keras: matmul() missing 1 required positional "
                     "argument: 'x2')", "")),
    ("- {type: ops.Transpose, axes: 2}\n",
     ("S002", 5, 31, "`axes` must be a list or null, got 2", "")),
    ("- {type: ops.Transpose, axes: [0, 1, 5]}\n",
     ("E002", 5, 31, "ops.Transpose `axes=[0, 1, 5]` is out of range for a rank-3 tensor",
                     "Keras: Each axis in `axes` must be an integer in [-3, 3)")),
    ("- {type: ops.Transpose, axes: [0, 0, 1]}\n",
     ("E002", 5, 31, "ops.Transpose `axes=[0, 0, 1]` is not a permutation of the 3 axes of (None, 5, 9)",
                     "Keras: `axes` must be a valid permutation of the input dimensions (no duplicates)")),
    ("- {type: ops.Argmax}\n- {type: ops.Transpose, axes: [0]}\n",
     ("E002", 6, 31, "ops.Transpose `axes=[0]` lists 1 axes for the 0 of ()",
                     "Keras: axis must be a list of the same length as the input shape, expected 0, but received 1")),
    ("- {type: ops.Argmax}\n- {type: Reshape, target_shape: [-1, 1]}\n",
     ("E002", 6, 10, "Reshape needs a tensor with a batch axis, not the scalar (shape ()) it receives",
                    "Keras: tuple index out of range")),
    ("- {type: ops.Var}\n- {type: Flatten}\n",
     ("E002", 6, 10, "Flatten needs a tensor of rank 1 or more, not the scalar (shape ()) it receives",
                    "Keras: expected min_ndim=1, found ndim=0")),
]


@pytest.mark.parametrize("layers, expected", CASES, ids=[c[1][3].split(" ")[0] + str(i) for i, c in enumerate(CASES)])
def test_wrong_values_get_the_keras_verdict(tmp_path, layers, expected):
    assert findings(tmp_path, layers) == [expected]
