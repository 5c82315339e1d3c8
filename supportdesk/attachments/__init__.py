"""Files on ticket messages: what customers mail in and what agents attach (domain package)."""
