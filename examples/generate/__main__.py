"""Lets `python -m examples.generate` run the command line."""

import sys

from examples.generate.cli import main

sys.exit(main())
