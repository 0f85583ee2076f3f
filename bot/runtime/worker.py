"""`cicd worker`: the scaled-out shape. Register the deployments in a work pool, then run a
real `prefect worker` on it; add machines by running more of these."""

from __future__ import annotations

import asyncio
import os
import sys

from bot.errors import StartError
from bot.runtime.embedded import apply_prefect_defaults
from workflows.config import OrchestrationConfig

WORK_POOL = "cicd"


class WorkerError(StartError):
    """The worker cannot start; the message says what to set."""


async def register_deployments(pool: str, concurrency: int) -> list[str]:
    """Create (or update) the process work pool and one deployment per implemented workflow."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
    from prefect.exceptions import ObjectAlreadyExists
    from prefect.types.entrypoint import EntrypointType

    from workflows.registry import DEPLOYMENT, flow_specs

    async with get_client() as client:
        try:
            await client.create_work_pool(
                WorkPoolCreate(name=pool, type="process", concurrency_limit=concurrency)
            )
        except ObjectAlreadyExists:
            await client.update_work_pool(pool, WorkPoolUpdate(concurrency_limit=concurrency))
    names = []
    for spec in flow_specs().values():
        deployment = await spec.flow.ato_deployment(
            name=DEPLOYMENT,
            work_pool_name=pool,
            # A module path, not a file path: any machine with the package installed runs it.
            entrypoint_type=EntrypointType.MODULE_PATH,
        )
        await deployment.aapply(work_pool_name=pool)
        names.append(spec.deployment_name)
    return names


def run_worker(config: OrchestrationConfig) -> int:
    """Register, then hand the process over to `prefect worker start` (signals and all)."""
    if not os.environ.get("PREFECT_API_URL"):
        raise WorkerError(
            "PREFECT_API_URL is not set. `cicd worker` joins a Prefect server "
            "(e.g. PREFECT_API_URL=http://prefect:4200/api); on one machine `cicd serve` "
            "runs the flows itself."
        )
    apply_prefect_defaults(config.cicd_data_dir)
    try:
        names = asyncio.run(register_deployments(WORK_POOL, config.max_concurrent_workflows))
    except Exception as exc:  # the server is down or refused: say so plainly
        url = os.environ["PREFECT_API_URL"]
        raise WorkerError(f"could not register deployments at {url}: {exc}") from None
    print(f"registered {', '.join(names)} in work pool '{WORK_POOL}'", file=sys.stderr)
    argv = [sys.executable, "-m", "prefect", "worker", "start", "--pool", WORK_POOL]
    argv += ["--type", "process", "--limit", str(config.max_concurrent_workflows)]
    os.execv(sys.executable, argv)
    return 0  # not reached: execv replaces this process
