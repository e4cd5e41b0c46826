"""A stand-in "library" for the lazy-instrumentation test; importing it triggers its instrumentor."""

VALUE = 1
