"""Runtime code shared by the Lambda functions and the local runtime.

Nothing in this package touches AWS or loads a model at import time: the CDK app, the CLI and the
Lambda handlers all import it, and each must stay fast to start.
"""
