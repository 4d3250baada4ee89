"""Real servers the tests run against (llama.cpp through xllamacpp, tiny generated GGUFs)."""
