"""The settings dialog generated from the schema, its field editors and the remote endpoints editor."""
