"""Coordination over behaviour tables: co-action networks, a shuffle null model, communities, evidence.

Generic by design: actor, object and time are whatever the caller says (accounts × retweeted tweets,
outlets × claim clusters × publication times). "Coordinated" here means synchronized beyond a null
model, never inauthentic.
"""

from narrascope.coordination.actions import Actions, from_records, read_table
from narrascope.coordination.detect import CoordinationResult, Settings, detect
from narrascope.coordination.network import CoActionNetwork, build_network
from narrascope.coordination.significance import benjamini_hochberg, test_edges

__all__ = [
    "Actions",
    "CoActionNetwork",
    "CoordinationResult",
    "Settings",
    "benjamini_hochberg",
    "build_network",
    "detect",
    "from_records",
    "read_table",
    "test_edges",
]
