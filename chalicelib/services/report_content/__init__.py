"""What a report says: province and unit reports assembled from the KPI service.

Every figure comes from the KPI read side (``services.kpi``: ``unit_table``, ``ranking``,
``interconnection``, ``officials_table``, ``unit_daily``, ``freshness``), so a report shows
exactly what the API returns for the same range and ``as_of``. This package only selects,
orders and labels (Vietnamese, with English labels for ``lang=en``); it renders nothing and
imports no rendering library.

- ``columns``: labels and table columns;
- ``context``: ``ReportContext``, one campaign and range and the reads every report of that
  range shares (a job writing the province report and every unit's report reads each figure
  once);
- ``content``: ``ReportContent``, a report's sections and the hash of its figures;
- ``shared``: what both reports say (overview, criteria and targets);
- ``province``, ``unit``: one module per report kind.
"""

from chalicelib.services.report_content.content import ReportContent
from chalicelib.services.report_content.context import ReportContext
from chalicelib.services.report_content.province import build_province
from chalicelib.services.report_content.unit import build_unit

__all__ = ["ReportContent", "ReportContext", "build_province", "build_unit"]
