"""Building the embedded embedding model (`make model`) and the numpy MiniLM reference it is checked against."""
