"""Embedding wire formats, one module each; registered with every other dialect in
``specwire._dialects`` and loaded by name when a model first needs one."""
