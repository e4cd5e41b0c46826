"""otelray.console: the web console served beside the local X-Ray API (``otelray backend``).

Modules: ``app`` (the Starlette app and its one route table), ``proxy`` (the X-Ray API forwarded
same-origin at ``/xray/<path>``), ``client`` (the console's X-Ray API client), ``layout`` (grandalf
service-map layout), ``security`` (CSP and same-origin rules), ``server`` (serving it on the
backend's event loop). Pages are in ``templates/``, their plain JavaScript modules and CSS in
``static/``.
"""
