"""The local runtime: replay, watch, store, alarm evaluation, dashboard, cost estimate and the CLI.

Never bundled into a Lambda. Defaults the CLI shows in `--help` live here, so building the parser does
not import the heavy modules.
"""

#: Records scored per batch in `replay` and `watch`: large enough to keep every core busy in the
#: embedded models, small enough that a progress bar moves.
DEFAULT_BATCH = 512
