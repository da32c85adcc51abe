"""The handwritten core that generated adapters bind to."""
