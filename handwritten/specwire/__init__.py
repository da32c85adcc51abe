"""specwire: LLM providers behind one async API, generated from YAML specs.

The package is assembled from two source roots, ``handwritten/specwire`` and
``generated/specwire``; ``extend_path`` joins them when both are on ``sys.path``
(editable install), and is a no-op in a wheel, where they share one folder.
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)

__version__ = "0.1.0"
__all__ = ["__version__"]
