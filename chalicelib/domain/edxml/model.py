"""Types shared by the edXML reader, mapper and archiver."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

QCVN_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
GODOC_NS = "http://www.go.vn/eDoc"
XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
# Namespace of the elements this service writes into archived packages.
ARCHIVE_NS = "urn:khong-giay:edxml-archive:1"

DIALECT_QCVN = "qcvn102"
DIALECT_GODOC = "godoc"

KIND_PACKAGE = "package"
KIND_STATUS = "status"


class EdxmlError(ValueError):
    """A package or status message that cannot be accepted (the HTTP layer answers 400).

    `path` is an XPath-like location (local names, 1-based index for repeated elements)
    of the missing or invalid element; `message` says what is wrong with it.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class EdxmlResult:
    dialect: str
    kind: str
    events: list[dict[str, Any]] = field(default_factory=list)
    trail: list[dict[str, Any]] = field(default_factory=list)
    archive_xml: bytes = b""
    exempt: bool = False
