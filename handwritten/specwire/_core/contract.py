"""The one contract every wire dialect keeps, whatever its family.

A dialect is a class registered by name in ``specwire._dialects`` (``DIALECTS``). It
declares, as class attributes, everything a provider spec may say to it:

- ``family``: the spec model family it serves (``chat``, ``embedding``, ``tts``);
- ``Options``: a pydantic model of the ``endpoint.options`` it reads (types, defaults,
  docstrings); a spec option it does not declare is an error;
- ``places``: the ``Parameters`` fields it puts on the wire itself, which the spec marks
  ``x-wire: null``;
- ``model_base``: the handwritten engine class (``module:Name``) that the generated model
  class of a spec using it as its main endpoint derives from;
- ``error_format``: where its error bodies keep message, type, code and status, which a
  spec's ``endpoint.errors`` overrides and extends with its provider's code classes;
- ``extra_location``: where in the body unknown call keywords go (its parameters' home).

The code generator imports every registered dialect and checks each spec against these
declarations, so a spec and the code that reads it cannot drift apart; at run time a
dialect reads its options as typed attributes (``self.options.reasoning_fields``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from .binding import EndpointBinding, WireParam, place_parameters
from .error_body import GENERIC_ERRORS, ErrorFormat

FAMILIES: tuple[str, ...] = ("chat", "embedding", "tts", "realtime")
"""Model families, in the order generated code lists them. A new family is added here,
in the spec schema's ``family`` enum and with its dialects; nothing else in the
contract changes."""


class DialectOptions(BaseModel):
    """Base of every dialect's ``Options``: unknown options are refused, values are
    immutable once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class NoOptions(DialectOptions):
    """The options of a dialect that reads none."""


class Dialect:
    """A wire format for one family, bound to one endpoint of one provider."""

    name: ClassVar[str]
    """The name specs choose it by (``endpoint.dialect``)."""
    family: ClassVar[str]
    """The spec model family it serves (one of ``FAMILIES``)."""
    Options: ClassVar[type[DialectOptions]] = NoOptions
    """The ``endpoint.options`` it reads."""
    places: ClassVar[frozenset[str]] = frozenset()
    """``Parameters`` fields it places itself (``x-wire: null`` in the spec)."""
    model_base: ClassVar[str]
    """The engine class (``module:Name``) generated classes using it derive from."""
    error_format: ClassVar[ErrorFormat] = GENERIC_ERRORS
    """Where the format's error bodies keep their facts (the spec may override)."""
    extra_location: ClassVar[tuple[str, ...]] = ()
    """Keys leading to where unknown call keywords are merged (``name[]``: each element
    of a list); empty: the top level. ``extra_body`` is always rooted at the body."""

    def __init__(
        self, endpoint: EndpointBinding, wire_params: Mapping[str, WireParam], provider: str
    ) -> None:
        self.endpoint = endpoint
        self.wire_params = wire_params
        self.provider = provider
        self.options: Any = self.read_options(endpoint)
        """This endpoint's options, an instance of ``Options`` (subclasses narrow the
        type)."""
        self.errors: ErrorFormat = self.error_format.override(endpoint.errors)
        """The error format with the spec's ``errors`` applied."""

    @classmethod
    def read_options(cls, endpoint: EndpointBinding) -> Any:
        """``endpoint.options`` read into ``Options`` (codegen has checked them)."""
        return cls.Options.model_validate(dict(endpoint.options))

    def apply_parameters(self, target: dict[str, Any], parameters: Mapping[str, Any]) -> None:
        """Put parameters into ``target`` at their spec'd wire paths."""
        place_parameters(target, parameters, self.wire_params)
