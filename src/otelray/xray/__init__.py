"""otelray.xray: the X-Ray pivot model.

``ids`` (trace and segment ids), ``header`` (``X-Amzn-Trace-Id``), ``wire`` (daemon UDP datagrams),
``segment`` (segment document types, ``parse_document``), ``validate`` (X-Ray's document rules),
``model`` (botocore's X-Ray service model) and ``errors``.
"""
