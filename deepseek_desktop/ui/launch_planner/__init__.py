"""The launch planner: how to run a model too big for this computer on your GPUs or cluster."""
