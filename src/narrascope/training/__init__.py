"""Rebuild the bundled models from their training data (see each model's MODEL_CARD.md)."""
