"""How models cross process boundaries: pickles hold no connections and no secrets.

A model pickles as its settings; its HTTP client, sockets and Redis connections are
left behind and reopen on first use in the worker. A credential's secret fields
pickle as the *name* of an environment variable holding the secret (the spec's own
variables first, e.g. ``OPENAI_API_KEY``, then any other variable with that value),
and the worker reads that variable when the pickle is loaded. A secret held in no
variable refuses to pickle, naming the variable to set, rather than travel in clear.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

if TYPE_CHECKING:
    from ._core.credential import CredentialBase


@dataclass(frozen=True)
class EnvSecret:
    """A secret field's stand-in inside a pickle: the variable that holds it."""

    variable: str


def secret_variable(cls: type[CredentialBase], field: str, value: str) -> str | None:
    """The environment variable holding ``value`` (the field's spec variables first)."""
    preferred = list(cls.env_vars.get(field, ()))
    for name in preferred + sorted(set(os.environ) - set(preferred)):
        if os.environ.get(name) == value:
            return name
    return None


def credential_getstate(credential: CredentialBase, state: dict[str, Any]) -> dict[str, Any]:
    """``state`` (pydantic's) with every secret replaced by its variable's name."""
    fields = dict(state["__dict__"])
    cls = type(credential)
    for name, value in fields.items():
        if not isinstance(value, SecretStr):
            continue
        variable = secret_variable(cls, name, value.get_secret_value())
        if variable is None:
            wanted = " or ".join(cls.env_vars.get(name, ())) or "an environment variable"
            raise pickle.PicklingError(
                f"{cls.__name__}.{name} is held in no environment variable, and a pickle "
                f"never carries a secret in clear: set {wanted} to it (here and in the "
                f"workers) and pickle again"
            )
        fields[name] = EnvSecret(variable)
    return {**state, "__dict__": fields}


def credential_setstate(cls: type[CredentialBase], state: dict[str, Any]) -> dict[str, Any]:
    """``state`` with each ``EnvSecret`` read from this process's environment."""
    fields = dict(state["__dict__"])
    for name, value in fields.items():
        if isinstance(value, EnvSecret):
            secret = os.environ.get(value.variable)
            if secret is None:
                raise pickle.UnpicklingError(
                    f"{cls.__name__}.{name} comes from the environment variable "
                    f"{value.variable}, which this process does not have"
                )
            fields[name] = SecretStr(secret)
    return {**state, "__dict__": fields}
