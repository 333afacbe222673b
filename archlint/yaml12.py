"""YAML 1.2 for every YAML archlint, its tests and its fuzzer read or write.

Specs are read as YAML 1.2 core schema (`loader.py`): `1e3` is a float, `yes` and `0b1` are strings.
PyYAML's own loaders and dumpers speak YAML 1.1, where it is the other way round, so a string `1e3`
dumped by `yaml.safe_dump` is written plain and read back by archlint as the float 1000.0. `load`
reads with archlint's own loader; `dump` writes through a dumper whose scalar typing is the union of
YAML 1.1's and 1.2 core's: a string that either would read as anything but a string is quoted, and
every number, boolean and null is written in a form both read as the same value.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.representer import SafeRepresenter
from yaml.resolver import Resolver

from archlint.loader import CoreResolver


class _Resolver(Resolver):
    """YAML 1.1's implicit types, and YAML 1.2 core's after them: a plain scalar that either schema
    types as non-string resolves to a non-string tag here, so the emitter quotes such a string."""


for _first, _resolvers in CoreResolver.yaml_implicit_resolvers.items():
    for _tag, _regexp in _resolvers:
        _Resolver.add_implicit_resolver(_tag, _regexp, [_first])


_BREAKS_11 = ("\x85", "\u2028", "\u2029")  # line breaks in YAML 1.1 (and PyYAML's reader), not in 1.2


class _Representer(SafeRepresenter):
    def represent_str(self, data: str):
        """Strings with NEL, LS or PS in double quotes, escaped (\\N, \\L, \\P): written raw, a 1.1 reader
        folds them as line breaks."""
        if any(mark in data for mark in _BREAKS_11):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


_Representer.add_representer(str, _Representer.represent_str)


class _PyDumper(yaml.emitter.Emitter, yaml.serializer.Serializer, _Representer, _Resolver):
    def __init__(self, stream, default_style=None, default_flow_style=False, canonical=None, indent=None,
                 width=None, allow_unicode=None, line_break=None, encoding=None, explicit_start=None,
                 explicit_end=None, version=None, tags=None, sort_keys=True):
        yaml.emitter.Emitter.__init__(self, stream, canonical=canonical, indent=indent, width=width,
                                      allow_unicode=allow_unicode, line_break=line_break)
        yaml.serializer.Serializer.__init__(self, encoding=encoding, explicit_start=explicit_start,
                                            explicit_end=explicit_end, version=version, tags=tags)
        _Representer.__init__(self, default_style=default_style, default_flow_style=default_flow_style,
                                 sort_keys=sort_keys)
        _Resolver.__init__(self)


try:  # libyaml's C emitter, for the fuzzer's volume; the typing above still decides the quoting
    from yaml._yaml import CEmitter

    class _CDumper(CEmitter, _Representer, _Resolver):
        def __init__(self, stream, default_style=None, default_flow_style=False, canonical=None, indent=None,
                     width=None, allow_unicode=None, line_break=None, encoding=None, explicit_start=None,
                     explicit_end=None, version=None, tags=None, sort_keys=True):
            CEmitter.__init__(self, stream, canonical=canonical, indent=indent, width=width, encoding=encoding,
                              allow_unicode=allow_unicode, line_break=line_break, explicit_start=explicit_start,
                              explicit_end=explicit_end, version=version, tags=tags)
            _Representer.__init__(self, default_style=default_style, default_flow_style=default_flow_style,
                                     sort_keys=sort_keys)
            _Resolver.__init__(self)
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _CDumper = None


def dump(data: Any, *, flow: bool | None = None, width: int = 110, sort_keys: bool = False,
         allow_unicode: bool = True, fast: bool = False) -> str:
    """`data` (plain dicts, lists, str, int, float, bool, None) as YAML text that a YAML 1.2 reader
    (archlint) and a YAML 1.1 reader (PyYAML) both read back as `data`. `flow` is PyYAML's
    default_flow_style (None: flow style for collections of scalars only); `fast` uses libyaml."""
    dumper = _CDumper if fast and _CDumper is not None else _PyDumper
    return yaml.dump(data, Dumper=dumper, default_flow_style=flow, width=width, sort_keys=sort_keys,
                     allow_unicode=allow_unicode)


def load(text: str) -> Any:
    """YAML text as plain data, read as archlint reads a spec (YAML 1.2 core schema, no object tags);
    raises loader.LoadError."""
    from archlint.loader import load_text

    return load_text("<yaml>", text).data
