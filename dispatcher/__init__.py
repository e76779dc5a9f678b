"""The dispatcher Lambda: new invocation-log objects in S3 -> normalised records on Kinesis.

A folder of its own (beside `monitors/`) because it is its own Lambda with its own code asset.
"""
