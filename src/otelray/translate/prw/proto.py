"""The Prometheus Remote Write 1.0 protobuf messages, built from a descriptor in code.

``prometheus.WriteRequest``, ``TimeSeries``, ``Label``, ``Sample`` with the field numbers of
Prometheus' ``prompb/remote.proto`` and ``prompb/types.proto`` (native histograms and exemplars are
not defined: otelray does not send them). Defining the four messages here avoids a dependency on
the upstream exporter package, which caps protobuf below 7 (packages.md).
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_F = descriptor_pb2.FieldDescriptorProto


def _file() -> descriptor_pb2.FileDescriptorProto:
    fd = descriptor_pb2.FileDescriptorProto(name="otelray/prometheus_remote.proto", package="prometheus",
                                            syntax="proto3")

    def message(name: str, *fields: tuple[str, int, int, int, str]) -> None:
        msg = fd.message_type.add(name=name)
        for fname, number, ftype, label, type_name in fields:
            field = msg.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                field.type_name = type_name

    opt, rep = _F.LABEL_OPTIONAL, _F.LABEL_REPEATED
    message("Label", ("name", 1, _F.TYPE_STRING, opt, ""), ("value", 2, _F.TYPE_STRING, opt, ""))
    message("Sample", ("value", 1, _F.TYPE_DOUBLE, opt, ""), ("timestamp", 2, _F.TYPE_INT64, opt, ""))
    message("TimeSeries", ("labels", 1, _F.TYPE_MESSAGE, rep, ".prometheus.Label"),
            ("samples", 2, _F.TYPE_MESSAGE, rep, ".prometheus.Sample"))
    message("WriteRequest", ("timeseries", 1, _F.TYPE_MESSAGE, rep, ".prometheus.TimeSeries"))
    return fd


_POOL = descriptor_pool.DescriptorPool()
_POOL.Add(_file())

WriteRequest: Any = message_factory.GetMessageClass(_POOL.FindMessageTypeByName("prometheus.WriteRequest"))
TimeSeries: Any = message_factory.GetMessageClass(_POOL.FindMessageTypeByName("prometheus.TimeSeries"))
Label: Any = message_factory.GetMessageClass(_POOL.FindMessageTypeByName("prometheus.Label"))
Sample: Any = message_factory.GetMessageClass(_POOL.FindMessageTypeByName("prometheus.Sample"))
