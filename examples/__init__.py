"""Example Bedrock invocation logs: the bundled demo set under `logs/` and the generator that writes it."""
