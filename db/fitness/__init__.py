"""Fitness: exercises, workouts, workout sessions and sets, personal records, programs."""
