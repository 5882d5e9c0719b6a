"""Every table of the service, as the local stack (setup.create_all_tables), the CDK app
(infra/app.py) and the schema-drift tests build them: the models of storage/models.py
and those defined beside their data access, which register there when imported."""

from __future__ import annotations

from typing import Any

from chalicelib.storage import (  # noqa: F401 (their tables register)
    contacts,
    council_meetings,
    councils,
    exemptions,
    holds,
    hubs,
    initiatives,
    job_runs,
    mail,
    nominations,
    postings,
    results_reports,
    sandbox,
)
from chalicelib.storage.models import (
    ALL_MODELS,
    NO_POINT_IN_TIME_RECOVERY,
    STREAM_VIEWS,
    TTL_ATTRIBUTES,
    logical_name,
)


def _hash_first(key_schema: list[Any]) -> list[Any]:
    # DynamoDB wants HASH before RANGE; PynamoDB lists keys in attribute order.
    return sorted(key_schema, key=lambda k: k["KeyType"] != "HASH")


def table_specs() -> list[dict[str, Any]]:
    """Schema of every table, for the local stack, the CDK app and drift tests."""
    specs = []
    for model in ALL_MODELS:
        schema = model._get_schema()
        logical = logical_name(model)
        specs.append(
            {
                "logical_name": logical,
                "table_name": model.Meta.table_name,
                "attribute_definitions": sorted(
                    schema["attribute_definitions"], key=lambda a: a["AttributeName"]
                ),
                "key_schema": _hash_first(schema["key_schema"]),
                "global_secondary_indexes": [
                    {
                        "IndexName": gsi["index_name"],
                        "KeySchema": _hash_first(gsi["key_schema"]),
                        "Projection": gsi["projection"],
                    }
                    for gsi in schema["global_secondary_indexes"]
                ],
                "ttl_attribute": TTL_ATTRIBUTES.get(logical),
                "stream_view_type": STREAM_VIEWS.get(logical),
                "point_in_time_recovery": logical not in NO_POINT_IN_TIME_RECOVERY,
            }
        )
    return specs
