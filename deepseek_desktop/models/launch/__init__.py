"""Launch plans for a model too big for one computer: the cluster, what is served, the layout per engine, and
the commands per node."""
