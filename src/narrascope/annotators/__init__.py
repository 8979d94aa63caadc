"""The built-in annotators; importing this package registers them with the pipeline."""

from narrascope.annotators import dates, entities, quotes, sourcing

__all__ = ["dates", "entities", "quotes", "sourcing"]
