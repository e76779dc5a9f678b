"""The local runtime: replay, store, alarms, dashboard."""
