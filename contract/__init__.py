"""The contract: the typed data every room shares (evidence, portals, errors, YAML with locations, secrets); imports nothing of ours and no browser."""
