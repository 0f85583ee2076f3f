"""The host's resources through psutil: CPU, memory, the data directory's disk."""

from __future__ import annotations

import os
from pathlib import Path

import psutil

from workflows.models.health_check import HostResources

CPU_SAMPLE_S = 0.2  # psutil needs an interval to measure CPU use rather than report 0.0


def read_host(data_dir: Path, *, cpu_sample_s: float = CPU_SAMPLE_S) -> HostResources:
    """What the machine uses now; the disk is the one holding `data_dir` (or its parent)."""
    disk_path = data_dir
    while not disk_path.exists() and disk_path != disk_path.parent:
        disk_path = disk_path.parent
    disk = psutil.disk_usage(str(disk_path))
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return HostResources(
        cpu_percent=psutil.cpu_percent(interval=cpu_sample_s),
        memory_percent=psutil.virtual_memory().percent,
        disk_percent=disk.percent,
        disk_path=str(data_dir),
        disk_free_gb=round(disk.free / 1024**3, 1),
        load_average=(round(load[0], 2), round(load[1], 2), round(load[2], 2)) if load else None,
        process_rss_mb=round(psutil.Process().memory_info().rss / 1024**2, 1),
    )
