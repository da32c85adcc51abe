"""The specwire code generator: provider specs (YAML) in, adapter modules out."""
