"""The local stack's start (scripts/local_stack.py)."""

from __future__ import annotations

import socket

import pytest

from scripts.local_stack import LocalStack, ensure_free, free_port


def test_a_stack_refuses_a_port_another_process_listens_on():
    """A leftover stack on the same port would otherwise answer in place of the new one
    (its own tables and code: a 500 where a table or index is missing)."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(RuntimeError, match=f"port {port} for the moto server is already"):
            LocalStack(moto_port=port, api_port=free_port(), scheduler=False).start()
    ensure_free(port, "moto server")  # closed: free again
