"""The user's settings: the schema that declares every setting once, the values that need more than a type and
a range, and the store that keeps them in a JSON file."""
