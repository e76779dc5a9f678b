#!/usr/bin/env python3
"""CDK entry point: `npx cdk synth` / `npx cdk deploy` (configuration in cdk.json, overrides with -c).

A configuration error stops the synth with the key's name and nothing else.
"""

from __future__ import annotations

import sys

from infra.app import create_app
from shared.errors import ConfigurationError


def main() -> int:
    try:
        built = create_app(None)
    except ConfigurationError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    built.app.synth()
    if built.quotas is not None:  # printed, not an info annotation: the CDK CLI drops those beside warnings
        print("\n".join(built.quotas.format_table()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
