"""Reference tracks and their audio analyses (frames, events, annotations, regions)."""
