"""One module per source: its connection spec, auth and defaults."""
