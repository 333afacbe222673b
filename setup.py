"""The one build step pyproject.toml cannot state: the package's copy of the JSON Schema.

The schema is committed once, at its published place, `schemas/archlint.schema.json` (editors and
other validators fetch it from there). A wheel carries it as `archlint/archlint.schema.json`, copied
here at build time; in a source checkout archlint reads `schemas/` directly (archlint/schema.py)."""

import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

SCHEMA = os.path.join("schemas", "archlint.schema.json")


class BuildWithSchema(build_py):
    def run(self):
        super().run()
        if not self.dry_run:
            target = os.path.join(self.build_lib, "archlint", "archlint.schema.json")
            self.mkpath(os.path.dirname(target))
            shutil.copyfile(SCHEMA, target)

    def get_outputs(self, include_bytecode=True):
        schema = os.path.join(self.build_lib, "archlint", "archlint.schema.json")
        return super().get_outputs(include_bytecode) + [schema]


setup(cmdclass={"build_py": BuildWithSchema})
