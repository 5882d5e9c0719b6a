"""CloudWatch alarms of the stack that are firing (the admins' alert summary)."""

from __future__ import annotations

from chalicelib.storage.aws import client


def firing_alarms(prefix: str) -> list[str]:
    """Names of the alarms named `prefix`... that are in ALARM state."""
    if not prefix:
        return []
    pages = (
        client("cloudwatch")
        .get_paginator("describe_alarms")
        .paginate(AlarmNamePrefix=prefix, StateValue="ALARM", AlarmTypes=["MetricAlarm"])
    )
    # The state is checked here too: CloudWatch applies both filters, moto only the prefix.
    return sorted(
        a["AlarmName"]
        for page in pages
        for a in page.get("MetricAlarms", [])
        if a.get("StateValue") == "ALARM"
    )
