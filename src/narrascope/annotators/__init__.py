"""The built-in annotators; importing this package registers them with the pipeline."""

from narrascope.annotators import claims, dates, entities, factchecks, figures, labels, quotes, sourcing, techniques

__all__ = ["claims", "dates", "entities", "factchecks", "figures", "labels", "quotes", "sourcing", "techniques"]
