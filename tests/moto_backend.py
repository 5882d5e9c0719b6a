"""One moto backend per test process, emptied between tests.

Creating the service's ~20 tables, three buckets and a key through boto3 costs a few
hundred milliseconds, and the suite did it for every API test and every property-test
example. The backend now stays in memory between tests and `fresh_backend()` puts it
back in the state a brand-new backend with `create_all()` would be in: every table of
the service present and empty (any other table dropped), the buckets recreated empty,
every other moto service reset, and every in-process cache of the app invalidated.
Only the KMS key survives (a new backend would hold an equivalent one): nothing the
service stores outlives a test, so no test can see another's data.

A test that starts its own `mock_aws()` resets moto as before; the next
`fresh_backend()` notices the missing tables and creates them again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

_PRESERVED_SERVICES = ("dynamodb", "kms")
_expected_tables: set[str] = set()


def _table_names() -> set[str]:
    if not _expected_tables:
        from chalicelib.storage.tables import table_specs

        _expected_tables.update(spec["table_name"] for spec in table_specs())
    return _expected_tables


def invalidate_caches() -> None:
    """Every process-level cache of the app that holds data: registry, rankings,
    decrypted secrets; and its clients and connections when they can no longer be
    reused (see `_clients_reusable`)."""
    from chalicelib.services.candidates import invalidate as invalidate_candidates
    from chalicelib.storage.registry import invalidate_registry
    from chalicelib.storage.sources import clear_secret_cache

    if not _clients_reusable():
        from chalicelib.storage.aws import reset_clients
        from chalicelib.storage.models import reset_connections

        reset_clients()
        reset_connections()
    invalidate_registry()
    invalidate_candidates()
    clear_secret_cache()


# Clients and PynamoDB connections hold no data (moto's backend does), so they outlive a
# test: building them again for every test (a botocore session and client per table,
# each registering and copying hundreds of event handlers) was a fifth of an API test's
# time. They are rebuilt when the endpoint or region they were made for changes, or
# when a test created one through a patched `Session.create_client` (such a client may
# carry the test's own event handlers).
_clients_made_for: list[tuple[str, str | None]] = []
_patched_client_made = [False]


def _clients_reusable() -> bool:
    from chalicelib.settings import get_settings

    settings = get_settings()
    target = (settings.region, settings.endpoint_url or None)
    reusable = _clients_made_for == [target] and not _patched_client_made[0]
    _clients_made_for[:] = [target]
    _patched_client_made[0] = False
    return reusable


def watch_client_factory() -> None:
    """Note every client made while a test has patched `Session.create_client`."""
    import botocore.session

    original = botocore.session.Session.create_client
    if getattr(original, "watched", False):
        return

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        if botocore.session.Session.create_client is not create_client:
            _patched_client_made[0] = True
        return original(self, *args, **kwargs)

    create_client.watched = True  # type: ignore[attr-defined]
    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]


def share_botocore_loader() -> None:
    """One botocore data loader for the test process.

    Every botocore session parses endpoints.json and the service models again, and
    PynamoDB opens a session per table: that parsing was most of an API test's time. The
    loader only reads botocore's own data files (one session already shares it between
    its clients), so sharing it between sessions changes nothing else.
    """
    import botocore.loaders
    import botocore.session

    if getattr(botocore.session.create_loader, "shared", False):
        return
    original = botocore.loaders.create_loader
    loaders: dict[str | None, Any] = {}

    def create_loader(search_path_string: str | None = None) -> Any:
        if search_path_string not in loaders:
            loaders[search_path_string] = original(search_path_string)
        return loaders[search_path_string]

    create_loader.shared = True  # type: ignore[attr-defined]
    botocore.session.create_loader = create_loader  # type: ignore[assignment]


def _empty_dynamodb() -> bool:
    """Empty the service's tables in place; False when some are missing (then the
    backend is reset and they are created)."""
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.settings import get_settings

    region = get_settings().region
    wanted = _table_names()
    ours: Any = None
    for account_id, regions in list(dynamodb_backends.items()):
        for region_name, backend in list(regions.items()):
            if (account_id, region_name) == (_account_id(), region) and ours is None:
                ours = backend
            else:
                backend.reset()
    if ours is None or not wanted <= set(ours.tables):
        if ours is not None:
            ours.reset()
        return False
    for name in list(ours.tables):
        if name not in wanted:
            del ours.tables[name]
    for name in wanted:
        ours.tables[name].items.clear()
        if ours.tables[name].stream_shard is not None:
            ours.tables[name].stream_shard.items.clear()  # a new table's stream is empty
    ours.backups.clear()
    ours.table_imports.clear()
    ours.table_exports.clear()
    ours.resource_policies.clear()
    return True


def _account_id() -> str:
    from moto.core import DEFAULT_ACCOUNT_ID

    return DEFAULT_ACCOUNT_ID


def _reset_other_services() -> None:
    from moto.core.base_backend import BackendDict

    # BackendDict.reset is a classmethod that would reset every service: reset each
    # account's backends instead.
    for backends in list(BackendDict._instances):
        if backends.service_name not in _PRESERVED_SERVICES:
            for account_backends in list(backends.values()):
                account_backends.reset()


def reset_backend() -> None:
    """Bring the (active) moto backend to the state of a new one after create_all()."""
    from chalicelib.storage.setup import (
        create_all,
        create_all_buckets,
        create_kms_key,
        create_mail_identity,
    )

    invalidate_caches()
    tables_ready = _empty_dynamodb()
    _reset_other_services()
    if tables_ready:
        create_all_buckets()
        create_kms_key()
        create_mail_identity()
    else:
        create_all()


@contextlib.contextmanager
def fresh_backend() -> Iterator[None]:
    """moto active, with every table and bucket of the service, all empty."""
    from moto import mock_aws

    mock = mock_aws()
    # Keep moto's data when this is the outermost mock: reset_backend() empties it,
    # which is much cheaper than creating every table again.
    mock.start(reset=False)
    try:
        reset_backend()
        yield
    finally:
        mock.stop(remove_data=False)
        invalidate_caches()
