"""What only the monitor Lambda runs: the Kinesis handler and CloudWatch EMF emission."""
