"""Learn: topics, lessons, ear-training drills and each user's progress on them."""
