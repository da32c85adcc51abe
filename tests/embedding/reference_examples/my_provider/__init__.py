"""The reference's "Custom Embedding Provider" steps 1 and 2, as a package."""
