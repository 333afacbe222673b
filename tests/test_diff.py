"""`archlint diff`: layer matching, every figure old -> new, the three formats, the gates (B020), new
findings and `--rev`. The pairs are tests/data/diff/base.yaml and one variant each; their figures are
PyTorch's (tests/crosscheck/test_crosscheck_diff.py)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from helpers import EXAMPLES, ROOT

from archlint.cli import main
from archlint.diff import parse_gates

DIFF = ROOT / "tests" / "data" / "diff"


def run(*args, cwd=None):
    return CliRunner().invoke(main, [str(a) for a in args])


def diff(variant: str, *options):
    return run("diff", "--isolated", DIFF / "base.yaml", DIFF / f"{variant}.yaml", *options)


def as_json(variant: str) -> dict:
    result = diff(variant, "--output-format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def changed(data: dict) -> list:
    return [(layer["status"], layer["name"], [(c["what"], c["old"], c["new"]) for c in layer["changes"]])
            for layer in data["layers"] if layer["status"] != "unchanged"]


@pytest.fixture
def here(monkeypatch):
    monkeypatch.chdir(ROOT)  # paths print relative to the working directory


WIDENED_FULL = """\
archlint diff: tests/data/diff/base.yaml -> tests/data/diff/widened.yaml
+2.8 k params (+18.3%), +0.9 MMACs (+21.3%)

                                   old        new  change
  Params                        15,258     18,050  +2,792 (+18.3%)
  Trainable params              15,258     18,050  +2,792 (+18.3%)
  Non-trainable params               0          0  0
  MACs                       4,112,704  4,989,248  +876,544 (+21.3%)
  FLOPs                      8,225,408  9,978,496  +1,753,088 (+21.3%)
  Param memory (bytes)          61,032     72,200  +11,168 (+18.3%)
  Activation memory (bytes)    131,072    196,608  +65,536 (+50.0%)
  Training memory (bytes)      715,464    858,440  +142,976 (+20.0%)
  Receptive field                  9x9        9x9  0

Layers: 0 added, 0 removed, 5 changed, 9 unchanged
  ~ stem (Conv2d): out_channels 16 -> 24; output (None, 16, 32, 32) -> (None, 24, 32, 32); params 432 -> 648 (+216); \
MACs 442,368 -> 663,552 (+221,184)
  ~ stem_bn (BatchNorm2d): output (None, 16, 32, 32) -> (None, 24, 32, 32); params 32 -> 48 (+16)
  ~ stem_relu (ReLU): output (None, 16, 32, 32) -> (None, 24, 32, 32)
  ~ conv_a (Conv2d): params 4,608 -> 6,912 (+2,304); MACs 1,179,648 -> 1,769,472 (+589,824)
  ~ shortcut (Conv2d): params 512 -> 768 (+256); MACs 131,072 -> 196,608 (+65,536)
"""


def test_widened_layer_full(here):
    result = run("diff", "--isolated", "tests/data/diff/base.yaml", "tests/data/diff/widened.yaml")
    assert result.exit_code == 0
    assert result.stdout == WIDENED_FULL


def test_widened_layer_json():
    data = as_json("widened")
    assert data["counts"] == {"added": 0, "removed": 0, "changed": 5, "unchanged": 9}
    assert data["figures"]["total_params"] == {"old": 15258, "new": 18050, "change": 2792,
                                               "relative": pytest.approx(2792 / 15258)}
    assert data["figures"]["macs"]["old"] == 4112704 and data["figures"]["macs"]["new"] == 4989248
    assert changed(data)[0] == ("changed", "stem", [("keyword out_channels", 16, 24),
                                                    ("output_shape", [None, 16, 32, 32], [None, 24, 32, 32]),
                                                    ("params", 432, 648), ("macs", 442368, 663552)])
    assert [name for _, name, _ in changed(data)] == ["stem", "stem_bn", "stem_relu", "conv_a", "shortcut"]
    assert data["findings"] == [] and data["new_findings"] == [] and data["inputs"] == []


INSERTED_MARKDOWN = """\
#### archlint diff: `tests/data/diff/base.yaml` → `tests/data/diff/inserted_block.yaml`

**+9.3 k params (+60.8%), +2.4 MMACs (+57.4%)**; layers: 3 added, 0 removed, 1 changed, 13 unchanged

| Figure | Old | New | Change |
|:--|--:|--:|--:|
| Params | 15,258 | 24,538 | +9,280 (+60.8%) |
| Trainable params | 15,258 | 24,538 | +9,280 (+60.8%) |
| Non-trainable params | 0 | 0 | 0 |
| MACs | 4,112,704 | 6,472,000 | +2,359,296 (+57.4%) |
| FLOPs | 8,225,408 | 12,944,000 | +4,718,592 (+57.4%) |
| Param memory (bytes) | 61,032 | 98,152 | +37,120 (+60.8%) |
| Activation memory (bytes) | 131,072 | 131,072 | 0 |
| Training memory (bytes) | 715,464 | 962,248 | +246,784 (+34.5%) |
| Receptive field | 9x9 | 13x13 | +4x+4 |

<details><summary>Layers that changed (4)</summary>

| | Layer (type) | Output shape | Params | MACs | Change |
|:-:|:--|:--|--:|--:|:--|
| + | conv_c (Conv2d) | (None, 32, 16, 16) | 9,216 | 2,359,296 |  |
| + | bn_c (BatchNorm2d) | (None, 32, 16, 16) | 64 | 0 |  |
| + | relu_c (ReLU) | (None, 32, 16, 16) | 0 | 0 |  |
| ~ | pool (AdaptiveAvgPool2d) | (None, 32, 1, 1) | 0 | 0 | inputs [relu_out] -> [relu_c] |

</details>
"""


def test_inserted_block_markdown(here):
    result = run("diff", "--isolated", "--format", "markdown", "tests/data/diff/base.yaml",
                 "tests/data/diff/inserted_block.yaml")
    assert result.exit_code == 0
    assert result.stdout == INSERTED_MARKDOWN


def test_inserted_block_json():
    data = as_json("inserted_block")
    assert changed(data) == [("added", "conv_c", []), ("added", "bn_c", []), ("added", "relu_c", []),
                             ("changed", "pool", [("inputs", ["relu_out"], ["relu_c"])])]
    assert data["figures"]["receptive_field"] == {"old": [9, 9], "new": [13, 13], "change": [4, 4], "relative": None}
    added = data["layers"][11]
    assert added["old"] is None and added["new"] == {"name": "conv_c", "type": "Conv2d", "inputs": ["relu_out"],
                                                      "output_shape": [None, 32, 16, 16], "params": 9216,
                                                      "macs": 2359296}


def test_removed_branch():
    data = as_json("removed_branch")
    assert changed(data) == [("removed", "shortcut", []), ("removed", "add", []),
                             ("changed", "relu_out", [("inputs", ["add"], ["bn_b"])])]
    assert data["figures"]["total_params"]["change"] == -512
    assert data["figures"]["macs"]["change"] == -131072
    # the removed layers are listed where they were: after bn_b, before relu_out
    assert [layer["name"] for layer in data["layers"]][7:11] == ["bn_b", "shortcut", "add", "relu_out"]
    text = diff("removed_branch").stdout
    assert "-0.5 k params (-3.4%), -0.1 MMACs (-3.2%)" in text
    assert "  - shortcut (Conv2d): output (None, 32, 16, 16), params 512, MACs 131,072\n" in text


def test_changed_input_size():
    data = as_json("input_size")
    assert data["counts"] == {"added": 0, "removed": 0, "changed": 11, "unchanged": 3}
    assert data["figures"]["total_params"]["change"] == 0
    assert data["figures"]["macs"] == {"old": 4112704, "new": 16449856, "change": 12337152,
                                     "relative": 12337152 / 4112704}
    assert data["figures"]["activation_memory"] == {"old": 131072, "new": 524288, "change": 393216, "relative": 3.0}
    stem = changed(data)[0]
    assert stem == ("changed", "stem", [("output_shape", [None, 16, 32, 32], [None, 16, 64, 64]),
                                        ("macs", 442368, 1769472)])
    assert data["inputs"] == [{"name": "input", "old": [None, 3, 32, 32], "new": [None, 3, 64, 64]}]
    lines = diff("input_size").stdout.splitlines()
    assert lines[1] == "15.3 k params (unchanged), +12.3 MMACs (+300.0%)"
    assert lines[14:17] == ["Inputs: input (None, 3, 32, 32) -> (None, 3, 64, 64)", "",
                            "Layers: 0 added, 0 removed, 11 changed, 3 unchanged"]
    markdown = diff("input_size", "--format", "markdown").stdout
    assert "\n\nInputs: input (None, 3, 32, 32) -> (None, 3, 64, 64)\n\n<details>" in markdown


def test_renamed_layer():
    data = as_json("renamed")
    assert changed(data) == [("changed", "classifier", [("name", "fc", "classifier")])]
    assert "  ~ classifier (Linear): renamed from fc\n" in diff("renamed").stdout


def test_unnamed_layers_are_matched_by_position(tmp_path):
    old = "archlint: 1\ninput: [8]\nlayers:\n  - {type: Dense, units: 4}\n  - {type: Dense, units: 2}\n"
    new = ("archlint: 1\ninput: [8]\nlayers:\n  - {type: Dense, units: 4}\n  - {type: Dropout, rate: 0.1}\n"
           "  - {type: Dense, units: 2}\n")
    (tmp_path / "old.yaml").write_text(old)
    (tmp_path / "new.yaml").write_text(new)
    data = json.loads(run("diff", "--isolated", "--format", "json", tmp_path / "old.yaml", tmp_path / "new.yaml").stdout)
    # Keras names the second Dense dense_1 in both: matched by its place, not confused with dense
    assert changed(data) == [("added", "dropout", []), ("changed", "dense_1", [("inputs", ["dense"], ["dropout"])])]


# ---------------------------------------------------------------- gates


def test_gate_exceeded_exits_1_with_b020(here):
    result = run("diff", "--isolated", "--fail-on-increase", "params=5%,macs=1M", "tests/data/diff/base.yaml",
                 "tests/data/diff/widened.yaml")
    assert result.exit_code == 1
    assert result.stdout.endswith(
        "\ntests/data/diff/widened.yaml:0:0: B020 [error] Params grew by 2,792 (+18.3%), from 15,258 to 18,050: "
        "more than params=5% allows\n"
        "  hint: the limit is set by --fail-on-increase; make the change cheaper, or raise it if the increase is "
        "intended\n")
    assert "MACs grew" not in result.stdout  # +876,544 is within 1M


@pytest.mark.parametrize("variant, gates, code", [
    ("widened", "params=20%", 0), ("widened", "params=2792", 0), ("widened", "params=2791", 1),
    ("renamed", "params=0,macs=0,training_memory=0", 0), ("input_size", "params=0", 0),
    ("input_size", "macs=0", 1), ("input_size", "activation_memory=384KiB", 0),
    ("input_size", "activation_memory=393215", 1), ("removed_branch", "params=0%,macs=0", 0),
])
def test_gate_exit_status(variant, gates, code):
    result = diff(variant, "--fail-on-increase", gates, "--format", "json")
    assert result.exit_code == code
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["B020"] * code


def test_gate_from_configuration(tmp_path, monkeypatch):
    for name in ("base", "widened"):
        shutil.copy(DIFF / f"{name}.yaml", tmp_path / f"{name}.yaml")
    (tmp_path / "pyproject.toml").write_text('[tool.archlint]\nfail-on-increase = {params = "5%", macs = 0}\n')
    monkeypatch.chdir(tmp_path)
    result = run("diff", "base.yaml", "widened.yaml")
    assert result.exit_code == 1
    assert "more than params=5% allows\n  hint: the limit is set by [tool.archlint] fail-on-increase in pyproject.toml" in (
        result.stdout)
    assert "MACs grew by 876,544 (+21.3%)" in result.stdout
    # the command line wins over the configuration
    assert run("diff", "--fail-on-increase", "params=50%", "base.yaml", "widened.yaml").exit_code == 0
    (tmp_path / "pyproject.toml").write_text('[tool.archlint]\nfail-on-increase = "params=lots"\n')
    result = run("diff", "base.yaml", "widened.yaml")
    assert result.exit_code == 2
    assert "pyproject.toml:2: [tool.archlint] `fail-on-increase`: params=lots: expected a percentage" in result.stderr


@pytest.mark.parametrize("text, message", [
    ("parms=5%", "unknown figure 'parms' (did you mean 'params'?)"),
    ("params", "'params' is not name=limit (e.g. params=5%)"),
    ("params=-1%", "params=-1%: a percentage is a number >= 0 followed by %"),
    ("param_memory=lots", "param_memory=lots: expected a percentage (5%) or a byte size (an int, or 512KB, 1.5MiB, 2GB)"),
])
def test_bad_gates_are_usage_errors(text, message):
    with pytest.raises(ValueError, match=None) as caught:
        parse_gates(text)
    assert str(caught.value) == message
    result = diff("widened", "--fail-on-increase", text)
    assert result.exit_code == 2 and result.stderr == f"archlint: error: --fail-on-increase: {message}\n"


def test_gates_parse_counts_sizes_and_percentages():
    from archlint import vocab
    from archlint.diff import FIGURES, GATES

    assert set(GATES) <= set(vocab.BUDGET_KEYS) and set(GATES.values()) <= set(FIGURES)
    gates = parse_gates("params=1.5M, macs=0,param_memory=2MiB,flops=2.5%")
    assert [(g.name, g.limit, g.percent) for g in gates.values()] == [
        ("params", 1_500_000, False), ("macs", 0, False), ("param_memory", 2 * 2**20, False), ("flops", 2.5, True)]


# ---------------------------------------------------------------- findings and errors


def test_new_findings_are_listed(tmp_path):
    old = "archlint: 1\nframework: pytorch\ninput: [3, 8, 8]\nlayers:\n  - {type: Conv2d, out_channels: 4, kernel_size: 3}\n"
    new = ("archlint: 1\nframework: pytorch\ninput: [3, 8, 8]\nlayers:\n"
           "  - {type: Conv2d, out_channels: 4, kernel_size: 3}\n  - {type: BatchNorm2d}\n")
    (tmp_path / "old.yaml").write_text(old)
    (tmp_path / "new.yaml").write_text(new)
    result = run("diff", "--isolated", "--format", "json", tmp_path / "old.yaml", tmp_path / "new.yaml")
    data = json.loads(result.stdout)
    assert [(f["code"], f["line"], f["column"]) for f in data["new_findings"]] == [("W005", 5, 12)]  # the type of the conv
    assert data["fixed_findings"] == []
    text = run("diff", "--isolated", tmp_path / "old.yaml", tmp_path / "new.yaml").stdout
    assert "\nNew findings in " in text and "new.yaml:5:12: W005 [warning] 0 (Conv2d) adds a bias that 1 (BatchNorm2d) subtracts again" in text
    back = json.loads(run("diff", "--isolated", "--format", "json", tmp_path / "new.yaml", tmp_path / "old.yaml").stdout)
    assert back["new_findings"] == [] and [f["code"] for f in back["fixed_findings"]] == ["W005"]


def test_a_version_that_cannot_be_walked_exits_1(tmp_path):
    (tmp_path / "broken.yaml").write_text("archlint: 1\ninput: [4]\nlayers: [{type: Dense, units: [}\n")
    result = run("diff", "--isolated", DIFF / "base.yaml", tmp_path / "broken.yaml")
    assert result.exit_code == 1
    assert "S001" in result.stderr and result.stdout == ""
    result = run("diff", "--isolated", DIFF / "base.yaml", tmp_path / "missing.yaml")
    assert result.exit_code == 1 and "S006" in result.stderr


def test_argument_count_is_checked():
    assert run("diff", DIFF / "base.yaml").exit_code == 2
    assert run("diff", "--rev", "HEAD", DIFF / "base.yaml", DIFF / "renamed.yaml").exit_code == 2


# ---------------------------------------------------------------- --rev


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t"})


@pytest.fixture
def repo(tmp_path, monkeypatch):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (tmp_path / "models").mkdir()
    shutil.copy(DIFF / "base.yaml", tmp_path / "models" / "net.yaml")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "base")
    shutil.copy(DIFF / "widened.yaml", tmp_path / "models" / "net.yaml")
    monkeypatch.chdir(tmp_path / "models")
    return tmp_path


def test_rev_compares_with_the_committed_version(repo):
    result = run("diff", "--isolated", "--rev", "HEAD", "net.yaml")
    assert result.exit_code == 0, result.output
    expected = WIDENED_FULL.replace("tests/data/diff/base.yaml", "HEAD:models/net.yaml").replace(
        "tests/data/diff/widened.yaml", "net.yaml")
    assert result.stdout == expected
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
    assert status == " M models/net.yaml\n"  # nothing written into the work tree, nothing checked out


def test_rev_uses_the_configuration_of_the_revision(repo):
    (repo / "archlint.toml").write_text('fail-on-increase = "params=1%"\n')
    _git(repo, "add", "archlint.toml")
    _git(repo, "commit", "-q", "-m", "gate")
    (repo / "archlint.toml").write_text('ignore = ["W005"]\nfail-on-increase = "params=1%"\n')
    result = run("diff", "--rev", "main", "net.yaml", "--format", "json")
    assert result.exit_code == 1  # the gate of the work tree's configuration (NEW's)
    assert json.loads(result.stdout)["old"] == "main:models/net.yaml"


def test_rev_errors_are_git_s(repo):
    result = run("diff", "--rev", "nosuchrev", "net.yaml")
    assert result.exit_code == 2
    assert result.stderr.startswith("archlint: error: cannot read net.yaml at nosuchrev: fatal:")
    (repo / "models" / "new.yaml").write_text((DIFF / "base.yaml").read_text())
    result = run("diff", "--rev", "HEAD", "new.yaml")
    assert result.exit_code == 2 and "models/new.yaml" in result.stderr


def test_resnet50_versions(tmp_path):
    """The README's example: ResNet-50 fine-tuned for 10 classes."""
    text = (EXAMPLES / "resnet" / "resnet50_torch.yaml").read_text()
    edited = text.replace("out_features: 1000, expect: {output_shape: [1000]}", "out_features: 10")
    assert edited != text
    (tmp_path / "resnet50_10.yaml").write_text(edited)
    result = run("diff", "--isolated", EXAMPLES / "resnet" / "resnet50_torch.yaml", tmp_path / "resnet50_10.yaml",
                 "--format", "json")
    data = json.loads(result.stdout)
    assert data["counts"] == {"added": 0, "removed": 0, "changed": 1, "unchanged": 174}
    assert data["figures"]["total_params"] == {"old": 25557032, "new": 23528522, "change": -2028510,
                                               "relative": pytest.approx(-2028510 / 25557032)}
    assert changed(data) == [("changed", "fc", [("keyword out_features", 1000, 10),
                                                ("output_shape", [None, 1000], [None, 10]),
                                                ("params", 2049000, 20490), ("macs", 2048000, 20480)])]


def test_the_rule_page_example(tmp_path, monkeypatch):
    """archlint/ruledocs/B020.md: its two files, its failing command (exit 1, B020) and its fixed one."""
    from archlint import ruledocs

    page = ruledocs.source("B020")
    blocks = re.findall(r"```(yaml|console)\n(.*?)```", page, re.DOTALL)
    assert [kind for kind, _ in blocks] == ["yaml", "yaml", "console", "console"]
    (tmp_path / "old.yaml").write_text(blocks[0][1])
    (tmp_path / "new.yaml").write_text(blocks[1][1])
    monkeypatch.chdir(tmp_path)
    failing, fixed = (shlex.split(text.strip().lstrip("$ "))[1:] for _, text in blocks[2:])
    result = run(*failing, "--isolated", "--format", "json")
    assert result.exit_code == 1
    assert [f["message"] for f in json.loads(result.stdout)["findings"]] == [
        "Params grew by 112 (+25.0%), from 448 to 560: more than params=5% allows"]
    result = run(*fixed, "--isolated", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["findings"] == []


def test_the_documented_example(tmp_path, monkeypatch):
    """docs/diff.md's ResNet-50 example prints exactly what the page shows."""
    page = (ROOT / "docs" / "diff.md").read_text()
    block = re.search(r"```console\n\$ archlint diff resnet50_torch.yaml resnet50_10.yaml\n(.*?)```", page, re.DOTALL)
    text = (EXAMPLES / "resnet" / "resnet50_torch.yaml").read_text()
    (tmp_path / "resnet50_torch.yaml").write_text(text)
    (tmp_path / "resnet50_10.yaml").write_text(
        text.replace("{name: fc, type: Linear, out_features: 1000, expect: {output_shape: [1000]}}",
                     "{name: fc, type: Linear, out_features: 10}"))
    monkeypatch.chdir(tmp_path)
    result = run("diff", "--isolated", "resnet50_torch.yaml", "resnet50_10.yaml")
    assert result.exit_code == 0
    assert result.stdout == block.group(1)


def test_ten_thousand_unnamed_layers(tmp_path):
    """Automatic names all shift after an insertion: the layers are aligned by position, in linear time
    around the edit (difflib alone is quadratic on such long runs of equal types)."""
    pair = "  - {type: Linear, out_features: 64}\n  - {type: ReLU}\n"
    head = "archlint: 1\nframework: pytorch\ninput: [64]\nlayers:\n"
    (tmp_path / "old.yaml").write_text(head + pair * 5000)
    (tmp_path / "new.yaml").write_text(head + pair * 2500 + "  - {type: Dropout, p: 0.1}\n" + pair * 2500)
    data = json.loads(run("diff", "--isolated", "--format", "json", tmp_path / "old.yaml", tmp_path / "new.yaml").stdout)
    assert data["counts"] == {"added": 1, "removed": 0, "changed": 1, "unchanged": 9999}
    assert changed(data) == [("added", "5000", []),
                             ("changed", "5001", [("inputs", ["4999"], ["5000"])])]


def test_alignment_of_a_long_middle_pairs_by_position(monkeypatch):
    from archlint import diff as diff_module

    shifted = (list("xab"), list("aby"))
    assert diff_module._align(*shifted, str) == [(1, 0), (2, 1)]  # difflib finds the shift
    assert diff_module._align(list("qxabq"), list("qabyq"), str) == [(0, 0), (2, 1), (3, 2), (4, 4)]
    monkeypatch.setattr(diff_module, "MAX_ALIGNMENT", 4)  # a 3 x 3 middle is now "too long"
    assert diff_module._align(*shifted, str) == []  # by position: x-a, a-b, b-y differ
    assert diff_module._align(list("qxabq"), list("qabyq"), str) == [(0, 0), (4, 4)]


def test_keras_model_configs():
    """Any input format: two Keras model.to_json() files (VGG16 with its top, and without at 160x160)."""
    keras = ROOT / "tests" / "data" / "keras"
    result = run("diff", "--isolated", "--format", "json", keras / "VGG16.json", keras / "VGG16_notop_160.json")
    data = json.loads(result.stdout)
    assert data["figures"]["total_params"]["old"] == 138_357_544  # keras.applications.VGG16().count_params()
    assert data["figures"]["total_params"]["new"] == 14_714_688  # VGG16(include_top=False)
    assert data["counts"] == {"added": 0, "removed": 4, "changed": 18, "unchanged": 0}
    assert data["inputs"] == [{"name": "input", "old": [None, 224, 224, 3], "new": [None, 160, 160, 3]}]
    assert [layer["name"] for layer in data["layers"] if layer["status"] == "removed"] == [
        "flatten", "fc1", "fc2", "predictions"]
