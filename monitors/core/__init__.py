"""The monitor framework: declarations (`spec`), the `Monitor` base, discovery, configuration, alarm
resolution and the runner that samples and scores. Lambda-safe: imports no AWS SDK and loads no model."""
