"""The published JSON Schema of an analysis, versioned with the data model.

The same schema describes `narrascope analyze --format json`, stored analyses and the HTTP API's
responses; its version changes whenever a field is added, renamed or changes meaning.
"""

from __future__ import annotations

from typing import Any

from narrascope.model import SCHEMA_VERSION, Analysis

SCHEMA_ID = f"https://narrascope.org/schema/analysis-{SCHEMA_VERSION}.json"


def analysis_schema() -> dict[str, Any]:
    schema = Analysis.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "version": SCHEMA_VERSION,
        **schema,
    }
