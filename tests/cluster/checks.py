"""What must hold in a cluster's library after anything: rows and stored files match one to one."""

from __future__ import annotations

from app.library.integrity import asset_id_of
from app.library.records import AssetQuery
from tests.cluster.cluster import Cluster


def assert_consistent(cluster: Cluster) -> None:
    """After a sweep: no object without a row, no row without its object and thumbnail."""
    lib = cluster.library
    assert lib.sweep(grace=0), "another instance held the sweep"
    blobs = {b.name for b in lib.storage.iter_blobs()}
    records = list(lib.iter_assets(AssetQuery()))
    ids = {r.id for r in records}
    orphans = sorted(n for n in blobs if asset_id_of(n) not in ids)
    assert not orphans, f"objects without a row: {orphans[:5]}"
    lacking = [r.id for r in records if f"{r.id}.{r.format}" not in blobs or f"{r.id}_thumb.jpg" not in blobs]
    assert not lacking, f"rows without their object or thumbnail: {lacking[:5]}"
    for part in cluster.instances:
        leftovers = list((part.data_dir / "assets" / ".incoming").iterdir())
        assert not leftovers or part.kills, f"scratch files left by a running instance: {leftovers[:5]}"
