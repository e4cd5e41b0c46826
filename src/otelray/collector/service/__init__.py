"""The running collector: pipeline graph, fan-out, shared components, own telemetry, process runner."""
