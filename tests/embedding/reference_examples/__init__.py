"""The reference's embedding examples, run by test_reference_examples.py."""
