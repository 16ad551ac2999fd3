"""Fixtures of the cluster suite: three instances behind HAProxy over PostgreSQL and SeaweedFS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cluster.cluster import Cluster
from tests.server.conftest import cluster_server


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A cluster of its own for each test module (the kill test leaves instances restarted)."""
    with cluster_server(tmp_path_factory.mktemp("cluster")) as running:
        yield running
