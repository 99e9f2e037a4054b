"""The DeepSeek catalogue: its models and downloads, how fast each would answer here, the recommendation, and
the catalogue as the model manager shows it."""
