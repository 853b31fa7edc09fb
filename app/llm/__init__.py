"""Everything that calls a language model: one client interface, constrained decoding,
the thought filter and versioned prompts. No Ray imports here."""
