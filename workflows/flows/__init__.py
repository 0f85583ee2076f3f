"""The workflow types that run: one module per type, found by placement (`workflows.registry`).

A module here whose name does not start with `_` holds one flow and its tasks, and exposes
`SPEC`, the `registry.FlowSpec` saying which `WorkflowType` it implements, its request and
result models (in `workflows.models`), the thread's title and the steps a viewer sees.
"""
