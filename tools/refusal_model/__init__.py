"""Offline training of the refusal classifier (`make refusal-model`); never bundled into a Lambda."""
