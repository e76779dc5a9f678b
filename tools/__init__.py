"""Offline maintainer tools: never installed with the package, never bundled into a Lambda."""
