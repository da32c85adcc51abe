"""Formatters: messages into provider payloads."""
