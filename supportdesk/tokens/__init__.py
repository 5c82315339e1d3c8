"""Personal API tokens: an agent's key to the JSON API, stored hashed, revocable."""
