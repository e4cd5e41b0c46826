"""otelray.collector: an ADOT / OpenTelemetry Collector in Python.

Layout (conventions §1): ``component`` (Kind, Signal, ComponentID, Settings, the Component and Host
protocols), ``consumer`` (batches are OTLP export request messages), ``errors``, ``registry``
(factories, ``BUILTIN`` + entry points), ``config/`` (YAML loading, the validated ``Config``, shared
blocks), ``service/`` (pipeline graph, fan-out, shared components, process runner),
``exporterhelper/`` (queue → retry → timeout → push), ``processorhelper`` and ``receiverhelper``,
one package per component type under ``receivers/``, ``processors/``, ``exporters/``,
``extensions/``, and ``testing/`` (sinks, nop components, sample batches) for component authors.

A new component is a pydantic config model (``config.blocks.ComponentConfig``), a runtime object
with ``start(host)`` / ``shutdown()`` and ``consume_<signal>(batch)``, and a frozen factory value
(``registry.ReceiverFactory`` & co.) registered in ``registry.BUILTIN`` or under an
``otelray_<kind>s`` entry point; the registry-wide lifecycle test then covers it.
"""
