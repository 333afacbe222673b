"""Module builders for the Ultralytics importer: one function per module class (see ../blocks.py)."""
